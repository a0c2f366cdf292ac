import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { ApiHubImportSchema, HubImportSchema, hubErrorCodes, mapHubRow, missingColumns, offeredSplits, splitFiles } from '#app/domain/hub.ts'
import { supportedLanguages } from '#app/utils/i18n.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { canStoreSecrets, openSecret, sealSecret, SecretsKeyMissingError, SecretUnreadableError } from '#app/utils/secrets.server.ts'

describe('splitFiles: where a split’s Parquet files are in a commit', () => {
	const pushToHub = ['README.md', '.gitattributes', 'data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet', 'data/test-00000-of-00001.parquet', 'data/train.jsonl']
	test('the default config’s data/{split}-*.parquet, shards in order, other splits and formats left out', () => {
		expect(splitFiles([...pushToHub].reverse(), 'default', 'train')).toEqual({
			layout: 'data/train-*.parquet',
			files: ['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet'],
		})
		expect(splitFiles(pushToHub, 'default', 'test')!.files).toEqual(['data/test-00000-of-00001.parquet'])
		// "train" must not match "trainer-…" or "train_extra-…".
		expect(splitFiles(['data/trainer-00000-of-00001.parquet', 'data/train_extra-00000-of-00001.parquet'], 'default', 'train')).toBeNull()
	})
	test('the Parquet conversion: {config}/{split}/*.parquet, then {config}/partial-{split}/*.parquet', () => {
		const converted = ['default/train/0000.parquet', 'default/train/0001.parquet', 'default/test/0000.parquet', 'chat/partial-train/0000.parquet']
		expect(splitFiles(converted, 'default', 'train')).toEqual({ layout: 'default/train/*.parquet', files: ['default/train/0000.parquet', 'default/train/0001.parquet'] })
		expect(splitFiles(converted, 'chat', 'train')).toEqual({ layout: 'chat/partial-train/*.parquet', files: ['chat/partial-train/0000.parquet'] })
	})
	test('a named config’s {config}/{split}-*.parquet; data/ and the root only for the default config', () => {
		const files = ['chat/train-00000-of-00001.parquet', 'data/train-00000-of-00001.parquet', 'train-00000-of-00001.parquet', 'test.parquet']
		expect(splitFiles(files, 'chat', 'train')!.files).toEqual(['chat/train-00000-of-00001.parquet'])
		expect(splitFiles(files, 'default', 'train')!.files).toEqual(['data/train-00000-of-00001.parquet'])
		expect(splitFiles(['train-00000-of-00001.parquet'], 'default', 'train')!.files).toEqual(['train-00000-of-00001.parquet'])
		expect(splitFiles(files, 'default', 'test')!.files).toEqual(['test.parquet'])
		expect(splitFiles(files, 'other', 'train')).toBeNull()
	})
	test('a config or split name with regex characters is taken literally', () => {
		expect(splitFiles(['a.b/train-0.parquet', 'aXb/train-0.parquet'], 'a.b', 'train')!.files).toEqual(['a.b/train-0.parquet'])
	})
	test('offeredSplits names what a commit has', () => {
		expect(offeredSplits(pushToHub)).toEqual(['default/test', 'default/train'])
		expect(offeredSplits(['default/train/0000.parquet', 'chat/partial-test/0000.parquet'])).toEqual(['chat/test', 'default/train'])
	})
})

describe('the column mapping', () => {
	test('the chosen columns take the fields’ names; a column already named so is kept in metadata', () => {
		const row = { prompt_id: 'abc', text: 'hello', id: 7, lang: 'sw', category: 'Chat' }
		expect(mapHubRow(row, { idColumn: 'prompt_id', contentColumn: 'text', languageColumn: 'lang' })).toEqual({ id: 'abc', content: 'hello', language: 'sw', category: 'Chat', metadata: { id: 7 } })
		expect(mapHubRow(row, {})).toBe(row)
		expect(mapHubRow({ uid: 1, metadata: { a: 1 }, id: 'x' }, { idColumn: 'uid' })).toEqual({ id: 1, metadata: { id: 'x', a: 1 } })
	})
	test('missingColumns lists the mapped columns a file lacks', () => {
		expect(missingColumns({ idColumn: 'prompt_id', contentColumn: 'text' }, ['prompt_id', 'messages'])).toEqual(['text'])
		expect(missingColumns({}, [])).toEqual([])
	})
	test('the request: defaults, blanks as unset, refused repository ids and revisions', () => {
		expect(HubImportSchema.parse({ repo: 'HuggingFaceH4/no_robots', idColumn: '' })).toEqual({ repo: 'HuggingFaceH4/no_robots', revision: 'main', config: 'default', split: 'train' })
		for (const repo of ['', '../x', 'a/b/c', 'a/..', '/a', 'a b']) expect(HubImportSchema.safeParse({ repo }).success, repo).toBe(false)
		for (const revision of ['../main', '/main', 'main/', 'a b', 'a..b']) expect(HubImportSchema.safeParse({ repo: 'a/b', revision }).success, revision).toBe(false)
		expect(HubImportSchema.parse({ repo: 'a/b', revision: 'refs/convert/parquet' }).revision).toBe('refs/convert/parquet')
		expect(ApiHubImportSchema.parse({ repo: 'gpt2', id_column: 'prompt_id', token: 'hf_abcdefgh' })).toEqual({
			request: { repo: 'gpt2', revision: 'main', config: 'default', split: 'train', idColumn: 'prompt_id', contentColumn: undefined, messagesColumn: undefined, languageColumn: undefined },
			token: 'hf_abcdefgh',
		})
		expect(ApiHubImportSchema.safeParse({ repo: 'a/b', idColumn: 'x' }).success).toBe(false)
	})
})

describe('sealed secrets (AES-256-GCM)', () => {
	afterEach(() => {
		delete process.env.SECRETS_KEY
		resetEnvCache()
	})
	test('round trip under SECRETS_KEY, bound to its context; another key is told apart from damage', () => {
		process.env.SECRETS_KEY = 'a'.repeat(64)
		resetEnvCache()
		const a = sealSecret('hf_secret', 'dataset-hub-token:1')
		const b = sealSecret('hf_secret', 'dataset-hub-token:1')
		// A fresh IV each time: the same token never seals the same way twice.
		expect(a.sealed).not.toBe(b.sealed)
		expect(a.sealed).not.toContain('hf_secret')
		expect(openSecret(a.sealed, 'dataset-hub-token:1', a.keyId)).toBe('hf_secret')
		expect(() => openSecret(a.sealed, 'dataset-hub-token:2', a.keyId)).toThrow(SecretUnreadableError)
		const tampered = a.sealed.slice(0, -2) + (a.sealed.endsWith('A') ? 'BB' : 'AA')
		expect(() => openSecret(tampered, 'dataset-hub-token:1', a.keyId)).toThrow(/damaged/)
		process.env.SECRETS_KEY = Buffer.alloc(32, 7).toString('base64')
		resetEnvCache()
		expect(() => openSecret(a.sealed, 'dataset-hub-token:1', a.keyId)).toThrow(/another key/)
	})
	test('PostgreSQL in production without SECRETS_KEY stores no secret (saving is refused); development derives a stable key', () => {
		const saved = { NODE_ENV: process.env.NODE_ENV, DATABASE_URL: process.env.DATABASE_URL, APP_URL: process.env.APP_URL }
		try {
			Object.assign(process.env, { NODE_ENV: 'production', DATABASE_URL: 'postgres://db.internal/rt', APP_URL: 'https://rt.example.org' })
			resetEnvCache()
			expect(canStoreSecrets()).toBe(false)
			expect(() => sealSecret('hf_x', 'c')).toThrow(SecretsKeyMissingError)
			process.env.NODE_ENV = 'development'
			resetEnvCache()
			const a = sealSecret('hf_x', 'c')
			resetEnvCache()
			expect(openSecret(a.sealed, 'c', a.keyId)).toBe('hf_x')
		} finally {
			for (const [k, v] of Object.entries(saved))
				if (v === undefined) delete process.env[k]
				else process.env[k] = v
			resetEnvCache()
		}
	})
	test('a SECRETS_KEY that is not 32 bytes stops the start with a message naming it', async () => {
		const { getEnv } = await import('#app/utils/env.server.ts')
		process.env.SECRETS_KEY = 'too-short'
		resetEnvCache()
		expect(() => getEnv()).toThrow(/SECRETS_KEY: must be 32 random bytes/)
	})
})

test('every Hub error has its message in all ten languages, with the placeholders the page passes', () => {
	for (const lng of supportedLanguages) {
		const datasets = JSON.parse(readFileSync(path.resolve('locales', lng, 'datasets.json'), 'utf8')) as { hub: { errors: Record<string, string> } }
		for (const code of [...hubErrorCodes, 'frozen']) expect(datasets.hub.errors[code], `${lng} ${code}`).toBeTruthy()
		expect(datasets.hub.errors.no_parquet_files).toContain('{{offered}}')
	}
})
