import * as accounts from './accounts.ts'
import * as datasets from './datasets.ts'

/** The single schema object handed to drizzle (tables themselves live in files by aggregate). */
export const schema = { ...accounts, ...datasets }
export type Schema = typeof schema
