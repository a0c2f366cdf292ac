import * as accounts from './accounts.ts'
import * as api from './api.ts'
import * as datasets from './datasets.ts'
import * as insights from './insights.ts'
import * as issues from './issues.ts'
import * as reviews from './reviews.ts'
import * as rounds from './rounds.ts'
import * as signals from './signals.ts'
import * as similar from './similar.ts'

/** The single schema object handed to drizzle (tables themselves live in files by aggregate). */
export const schema = { ...accounts, ...datasets, ...rounds, ...reviews, ...issues, ...insights, ...api, ...signals, ...similar }
export type Schema = typeof schema
