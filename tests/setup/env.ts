// Runs before every test file: a predictable environment, never the developer's own data folder.
process.env.NODE_ENV = 'test'
process.env.DATA_DIR = 'memory://'
process.env.COOKIE_SECURE ??= 'false'
delete process.env.SEED_DEMO
