/**
 * The gate rule (app/domain/gate.ts `isOpenBlocker`) as SQL, for the queries that count or list
 * what holds a version's gate: gate counts, open blockers, the pipeline gate's one statement,
 * triage and the owner's inbox. Every such query uses these fragments instead of spelling the
 * condition out. They are literal SQL (no parameters), so the planner can still match them to the
 * partial index issues_untriaged_blockers_idx.
 *
 * Pass the table as the query names it: `issues` itself, or `alias(issues, 'i')`.
 */
import { type AnyColumn, sql, type SQL } from 'drizzle-orm'
import { issues } from '#db/schema/issues.ts'

type IssueColumns = { blocking: AnyColumn; status: AnyColumn }

/** The issue is not resolved: `open` or `acknowledged`. */
export function unresolvedIssue(t: IssueColumns = issues): SQL {
	return sql`${t.status} <> 'resolved'`
}

/** The issue blocks and is unresolved: it holds the gate. */
export function openBlocker(t: IssueColumns = issues): SQL {
	return sql`(${t.blocking} and ${unresolvedIssue(t)})`
}
