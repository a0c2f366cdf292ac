/**
 * The authorization matrix: for every route (by Remix route id) and method, the status each
 * principal should get. tests/integration/authz-matrix.test.ts requests every cell against the
 * world of tests/authz/world.ts; a route without a row here fails that test by name.
 *
 * What the app should do, and so what the cells say:
 * - Team pages answer 404 (not 403) to anyone off the dataset's team, so a dataset's existence is
 *   not revealed; a maintainer on an owner-only page (team) gets 403 — they know it exists.
 * - Participant pages answer only to participants of that round (404 for everyone else, the
 *   dataset team, pending invitees and other rounds' participants included).
 * - Signed-out people are sent to sign in ("S": a 3xx to /signin?redirectTo=…).
 * - A bearer token is not a web session: on web pages a token holder is signed out.
 * - The API never reads cookies (401 for every signed-in person without a token), answers a
 *   missing or revoked token with 401 and another dataset's token with 404.
 * Numbers are statuses (3xx elsewhere than /signin are plain numbers); "S" is the sign-in redirect.
 */
import { and, eq } from 'drizzle-orm'
import { apiTokens, webhooks } from '#db/schema/api.ts'
import { datasets, stagedUploads, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments, flags } from '#db/schema/reviews.ts'
import { invitations } from '#db/schema/rounds.ts'
import { db } from '#app/utils/db.server.ts'
import { type Body, type Cell } from './routes.ts'
import { emailOf, PASSWORD, SIGNIN_ACCOUNT, type Principal, type World } from './world.ts'

const S = 'S' as const

/** One cell per principal, in this order. */
export const columns = [
	'anonymous',
	'stranger',
	'invitee',
	'participant',
	'otherParticipant',
	'expert',
	'owner',
	'maintainer',
	'otherOwner',
	'token',
	'otherToken',
	'revokedToken',
] as const satisfies readonly Principal[]
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell]
export type Method = 'GET' | 'POST' | 'PUT'

// prettier-ignore
export const matrix: Record<string, Partial<Record<Method, Row>>> = {
	//                                                                     anon  strgr invit part  othP  expt  ownr  maint othO  token othT  revkd
	'root':                                                       { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200] },
	'routes/$':                                                   { GET:  [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404] },
	'routes/_index':                                              { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200] },
	'routes/healthz':                                             { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200] },
	'routes/locales.$lng.$ns':                                    { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200] },
	'routes/language':                                            { GET:  [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302],
	                                                                POST: [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302] },

	// Accounts. Signed-in people are sent home from the sign-in and sign-up pages; signing in while
	// signed in switches accounts.
	'routes/_auth+/signin':                                       { GET:  [200,  302,  302,  302,  302,  302,  302,  302,  302,  200,  200,  200],
	                                                                POST: [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302] },
	'routes/_auth+/signout':                                      { GET:  [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302],
	                                                                POST: [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302] },
	'routes/_auth+/signup':                                       { GET:  [200,  302,  302,  302,  302,  302,  302,  302,  302,  200,  200,  200],
	                                                                POST: [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302] },
	// The code step of a sign-up (SMTP configured): an unknown sign-up id is refused with 400.
	'routes/_auth+/signup_.verify':                               { GET:  [200,  302,  302,  302,  302,  302,  302,  302,  302,  200,  200,  200],
	                                                                POST: [400,  302,  302,  302,  302,  302,  302,  302,  302,  400,  400,  400] },
	'routes/account+/_index':                                     { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S] },
	'routes/account+/password':                                   { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S] },
	// Creating a token for "alpha" needs manage_versions on it (owner, maintainer); others are told the dataset is not theirs to grant.
	'routes/account+/tokens':                                     { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    400,  400,  400,  400,  400,  200,  200,  400,  S,    S,    S] },
	'routes/notifications':                                       { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S] },
	// The inbox lists only the person's own datasets; turning alpha's notifications off is the team's (others: 404).
	'routes/inbox':                                               { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/feedback':                                            { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S] },

	// Invitation links: anyone holding a link may read it; only the invited address may accept
	// (the link here is for an address nobody in the world has, so every account is the wrong one).
	'routes/invitations.$token':                                  { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200],
	                                                                POST: [S,    403,  403,  403,  403,  403,  403,  403,  403,  S,    S,    S] },
	// Team invitations: the world's link is a round invitation's, so no team invitation matches it.
	'routes/team-invitations.$token':                             { GET:  [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404],
	                                                                POST: [S,    410,  410,  410,  410,  410,  410,  410,  410,  S,    S,    S] },

	// Datasets: anyone signed in may list their own and create one.
	'routes/datasets+/_index':                                    { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S] },
	'routes/datasets+/new':                                       { GET:  [S,    200,  200,  200,  200,  200,  200,  200,  200,  S,    S,    S],
	                                                                POST: [S,    302,  302,  302,  302,  302,  302,  302,  302,  S,    S,    S] },

	// The dataset team's pages: owner and maintainer of "alpha" only.
	'routes/datasets+/$slug+/_index':                             { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/audit':                              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/edit':                               { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/outbox':                             { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/team':                               { GET:  [S,    404,  404,  404,  404,  404,  200,  403,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  200,  403,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/webhooks':                           { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/use-cases.new':                      { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/use-cases.$useCaseId.edit':          { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/use-cases.$useCaseId.history':       { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/use-cases.$useCaseId.discussion':    { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.new':                       { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	// The Hub token is the owners' alone (403 for a maintainer, who may still import with it).
	'routes/datasets+/$slug+/versions.new-from-hub':              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  403,  404,  S,    S,    S] },
	// Approving v1 is refused while its blocking issue is open (409) — past the guard, for the team only.
	'routes/datasets+/$slug+/versions.$label+/_index':            { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  409,  409,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/diff':              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/edit':              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	// GET only points back at the version page (the upload form lives there); it shows nothing.
	'routes/datasets+/$slug+/versions.$label+/import':            { GET:  [302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302,  302],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	// A staged Parquet upload's column mapping (alpha's draft v2); the POST sends a mapping without an id, refused (400) so the upload stays.
	'routes/datasets+/$slug+/versions.$label+/columns.$uploadId': { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  400,  400,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/imports.$importId': { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/imports.$importId.progress':
	                                                              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/insights':          { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/signals':           { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/signals[.]csv':     { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/issues._index':     { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  303,  303,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/issues.$number':    { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/report':            { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/report[.]csv':      { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/report[.]json':     { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/report[.]md':       { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/annotations[.]jsonl':{ GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/annotations[.]csv': { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/annotations[.]parquet':{ GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/croissant[.]json':  { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/dataset-card[.]md': { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/rounds.new':        { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  302,  302,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/rounds.$roundId':   { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/samples._index':    { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },
	'routes/datasets+/$slug+/versions.$label+/samples.$externalId':
	                                                              { GET:  [S,    404,  404,  404,  404,  404,  200,  200,  404,  S,    S,    S] },

	// A round's participant pages: its community member and expert only. "Start reviewing" sends
	// them on to the next sample (302).
	'routes/rounds+/$roundId+/_index':                            { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S] },
	'routes/rounds+/$roundId+/consent':                           { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  302,  404,  302,  404,  404,  404,  S,    S,    S] },
	'routes/rounds+/$roundId+/review._index':                     { GET:  [S,    404,  404,  302,  404,  302,  404,  404,  404,  S,    S,    S] },
	'routes/rounds+/$roundId+/review.$externalId':                { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  302,  404,  302,  404,  404,  404,  S,    S,    S] },
	// The focus view's local queue (JavaScript): the reviewer's own verdicts and queue refill, as JSON.
	'routes/rounds+/$roundId+/review-sync':                       { POST: [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S] },
	'routes/rounds+/$roundId+/templates':                         { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S] },
	'routes/rounds+/$roundId+/use-cases.$useCaseId':              { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  302,  404,  302,  404,  404,  404,  S,    S,    S] },
	// Posting without choosing what happens to one's feedback only asks again (200, nothing changes).
	'routes/rounds+/$roundId+/withdraw':                          { GET:  [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S],
	                                                                POST: [S,    404,  404,  200,  404,  200,  404,  404,  404,  S,    S,    S] },

	// The pipeline API. Methods a route does not implement are 405 before anything else (they reveal nothing).
	'routes/api+/$':                                              { GET:  [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404],
	                                                                POST: [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404] },
	'routes/api+/v1.openapi[.]json':                              { GET:  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions._index':           { GET:  [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405],
	                                                                POST: [401,  401,  401,  401,  401,  401,  401,  401,  401,  201,  404,  401] },
	'routes/api+/v1.datasets.$dataset.versions.$version.gate':    { GET:  [401,  401,  401,  401,  401,  401,  401,  401,  401,  200,  404,  401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions.$version.issues':  { GET:  [401,  401,  401,  401,  401,  401,  401,  401,  401,  200,  404,  401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions.$version.annotations': { GET: [401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 404, 401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions.$version.croissant[.]json': { GET: [401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 404, 401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions.$version.report': { GET: [401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 404, 401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	// Past the guard the token's request lacks ?attribute= (the matrix sends no query): 400, not 200.
	'routes/api+/v1.datasets.$dataset.versions.$version.signals': { GET: [401, 401, 401, 401, 401, 401, 401, 401, 401, 400, 404, 401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	'routes/api+/v1.datasets.$dataset.versions.$version.samples_.$externalId.similar': { GET: [401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 404, 401],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405] },
	// Past the guard the matrix's empty body names no repository: 422, before the Hub is asked.
	'routes/api+/v1.datasets.$dataset.versions.$version.hub-import': { GET: [405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405],
	                                                                POST: [401,  401,  401,  401,  401,  401,  401,  401,  401,  422,  404,  401] },
	'routes/api+/v1.datasets.$dataset.versions.$version.samples': { GET:  [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405],
	                                                                POST: [405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405,  405],
	                                                                PUT:  [401,  401,  401,  401,  401,  401,  401,  401,  401,  200,  404,  401] },
}

/** The URL parameters every route is filled with: this world's "alpha" things. */
export function defaultParams(w: World): Record<string, string> {
	return {
		slug: w.a.slug,
		label: w.a.label,
		dataset: w.a.slug,
		version: w.a.label,
		roundId: w.a.roundId,
		useCaseId: w.a.useCaseId,
		importId: w.a.importId,
		number: String(w.a.issue.number),
		externalId: 'a-000',
		token: w.a.spareToken,
		lng: 'en',
		ns: 'common',
		'*': 'no-such-page',
	}
}

/** Where a route needs another of alpha's things: the draft v2 for what only a draft allows (and the diff, which needs a parent). */
export const paramOverrides: Record<string, (w: World) => Record<string, string>> = {
	'routes/datasets+/$slug+/versions.$label+/diff': (w) => ({ label: w.a.draftLabel }),
	'routes/datasets+/$slug+/versions.$label+/edit': (w) => ({ label: w.a.draftLabel }),
	'routes/datasets+/$slug+/versions.$label+/import': (w) => ({ label: w.a.draftLabel }),
	'routes/datasets+/$slug+/versions.$label+/columns.$uploadId': (w) => ({ label: w.a.draftLabel, uploadId: w.a.stagedUploadId }),
	'routes/api+/v1.datasets.$dataset.versions.$version.samples': (w) => ({ version: w.a.draftLabel }),
}

type BodyFor = (w: World, p: Principal) => Body | Promise<Body>
const form = (fields: Record<string, string | string[]>): Body => ({ form: fields })
const slugOf = (p: Principal) => p.toLowerCase()
const jsonl = (prefix: string) => [0, 1, 2].map((i) => JSON.stringify({ id: `a-00${i}`, content: `${prefix} ${i}` })).join('\n') + '\n'

async function revisionOf<T extends { revision: unknown }>(rows: Promise<T[]>) {
	return String((await rows)[0]!.revision)
}

/**
 * The body each action is sent: what its own form would post, so a principal who passes the guard
 * gets the action's real answer. Chosen so the world stays the same for the next request (no
 * session is shared, nothing is withdrawn, revoked or approved).
 */
export const postBodies: Record<string, BodyFor> = {
	'routes/language': () => form({ lng: 'en', redirectTo: '/' }),
	'routes/_auth+/signin': () => form({ email: emailOf(SIGNIN_ACCOUNT), password: PASSWORD }),
	'routes/_auth+/signout': () => form({}),
	'routes/_auth+/signup': (_w, p) => form({ email: `signup-${slugOf(p)}@example.org`, displayName: 'New person', password: PASSWORD }),
	'routes/account+/_index': (_w, p) => form({ displayName: p }),
	'routes/account+/password': () => form({ currentPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD }),
	'routes/account+/tokens': (w, p) => form({ intent: 'create', name: `matrix ${p}`, datasets: [w.a.slug] }),
	'routes/notifications': () => form({}),
	'routes/inbox': (w) => form({ intent: 'notify', dataset: w.a.slug, notify: 'on' }),
	'routes/invitations.$token': () => form({ intent: 'accept' }),
	'routes/team-invitations.$token': () => form({}),
	'routes/_auth+/signup_.verify': () => form({ id: '00000000-0000-0000-0000-000000000000', code: '12345678' }),
	'routes/datasets+/new': (_w, p) => form({ name: `New ${p}`, slug: `new-${slugOf(p)}` }),
	'routes/datasets+/$slug+/edit': async (w) =>
		form({ name: 'Alpha', slug: w.a.slug, description: 'Tutoring hints', revision: await revisionOf(db.select({ revision: datasets.revision }).from(datasets).where(eq(datasets.id, w.a.datasetId))) }),
	'routes/datasets+/$slug+/team': () => form({ intent: 'add', email: emailOf('mia') }),
	'routes/datasets+/$slug+/webhooks': (_w, p) => form({ intent: 'create', url: `https://hooks.example.org/${slugOf(p)}`, events: ['issue.created'] }),
	'routes/datasets+/$slug+/use-cases.new': (_w, p) => form({ title: `Use by ${p}`, pipelineStage: 'evaluation' }),
	'routes/datasets+/$slug+/use-cases.$useCaseId.edit': async (w) =>
		form({
			title: 'Alpha tutoring',
			purpose: 'Fine-tune a hint model',
			pipelineStage: 'fine_tuning',
			revision: await revisionOf(db.select({ revision: useCases.revision }).from(useCases).where(eq(useCases.id, w.a.useCaseId))),
		}),
	// The team answers a participant's comment (a reply: no stance).
	'routes/datasets+/$slug+/use-cases.$useCaseId.discussion': (w) => form({ intent: 'comment', body: 'The team reads every one.', parentId: w.a.commentId }),
	'routes/datasets+/$slug+/versions.new': (_w, p) => form({ label: `web-${slugOf(p)}`, generationMethod: 'templates' }),
	'routes/datasets+/$slug+/versions.new-from-hub': () => form({ intent: 'delete_token' }),
	'routes/datasets+/$slug+/versions.$label+/_index': () => form({ intent: 'approve' }),
	'routes/datasets+/$slug+/versions.$label+/edit': async (w) =>
		form({
			generationMethod: 'templates',
			knownLimitations: 'Short texts only.',
			revision: await revisionOf(
				db
					.select({ revision: versions.revision })
					.from(versions)
					.where(and(eq(versions.datasetId, w.a.datasetId), eq(versions.label, w.a.draftLabel))),
			),
		}),
	'routes/datasets+/$slug+/versions.$label+/import': (_w, p) => ({ multipart: { file: { filename: 'v2.jsonl', type: 'application/x-ndjson', content: jsonl(`web ${p}`) } } }),
	'routes/datasets+/$slug+/versions.$label+/columns.$uploadId': () => form({ intent: 'import', use: ['metadata', 'content', 'messages', 'language', 'metadata', 'metadata'] }),
	'routes/datasets+/$slug+/versions.$label+/issues.$number': () => form({ intent: 'note', note: 'Asked the generator team.' }),
	'routes/datasets+/$slug+/versions.$label+/issues._index': async (w) =>
		form({ intent: 'bulk_acknowledge', issue: `${w.a.issue.id}:${await revisionOf(db.select({ revision: issues.revision }).from(issues).where(eq(issues.id, w.a.issue.id)))}` }),
	'routes/datasets+/$slug+/versions.$label+/rounds.new': (_w, p) => form({ stage: 'validation', title: `Round by ${p}`, selectionMode: 'all', overlap: '1', blockThreshold: '2' }),
	'routes/datasets+/$slug+/versions.$label+/rounds.$roundId': (_w, p) => form({ intent: 'invite', emails: `invited-${slugOf(p)}@example.org`, role: 'community' }),
	'routes/rounds+/$roundId+/consent': () => form({ agree: 'yes' }),
	'routes/rounds+/$roundId+/review.$externalId': () => form({ intent: 'no_concerns' }),
	'routes/rounds+/$roundId+/review-sync': (_w, p) => ({ json: { verdicts: [{ key: `authz-${p}`, externalId: 'a-000', intent: 'no_concerns' }], want: 1 } }),
	'routes/rounds+/$roundId+/templates': () => form({ intent: 'template_feedback', target: 'persona_definitions', kind: 'comment', rationale: 'Grandmothers are not all alike.', quotedSpan: '' }),
	'routes/rounds+/$roundId+/use-cases.$useCaseId': (_w, p) => form({ intent: 'comment', stance: 'question', body: `A question from ${p}` }),
	'routes/rounds+/$roundId+/withdraw': () => form({}),
	'routes/api+/$': () => ({ json: {} }),
	'routes/api+/v1.openapi[.]json': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions._index': (_w, p) => ({ json: { label: `api-${slugOf(p)}`, generation_method: 'templates' } }),
	'routes/api+/v1.datasets.$dataset.versions.$version.gate': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.issues': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.annotations': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.croissant[.]json': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.report': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.signals': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.samples_.$externalId.similar': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.hub-import': () => ({ json: {} }),
	'routes/api+/v1.datasets.$dataset.versions.$version.samples': (_w, p) => ({ ndjson: jsonl(`api ${p}`) }),
}

/**
 * ID swaps: alpha's URL with one of beta's ids (or beta's URL with alpha's token), as the most
 * privileged principal of alpha. Each must be 404 (or, where noted, answered without touching
 * beta's row); `unchanged` reads what must stay as it was.
 */
export type Swap = {
	name: string
	route: string
	method: Method
	principal: Principal
	params: (w: World) => Record<string, string>
	body?: BodyFor
	expect: Cell
	unchanged?: (w: World) => Promise<unknown>
}

const team = 'routes/datasets+/$slug+'
const ver = `${team}/versions.$label+`
export const swaps: Swap[] = [
	{ name: "beta's use case under alpha (edit)", route: `${team}/use-cases.$useCaseId.edit`, method: 'GET', principal: 'owner', params: (w) => ({ useCaseId: w.b.useCaseId }), expect: 404 },
	{
		name: "beta's use case under alpha (save)",
		route: `${team}/use-cases.$useCaseId.edit`,
		method: 'POST',
		principal: 'owner',
		params: (w) => ({ useCaseId: w.b.useCaseId }),
		body: () => form({ title: 'Taken over', pipelineStage: 'training', revision: '1' }),
		expect: 404,
		unchanged: (w) => db.select().from(useCases).where(eq(useCases.id, w.b.useCaseId)),
	},
	{ name: "beta's use case under alpha (history)", route: `${team}/use-cases.$useCaseId.history`, method: 'GET', principal: 'owner', params: (w) => ({ useCaseId: w.b.useCaseId }), expect: 404 },
	{ name: "beta's use case under alpha (discussion)", route: `${team}/use-cases.$useCaseId.discussion`, method: 'GET', principal: 'owner', params: (w) => ({ useCaseId: w.b.useCaseId }), expect: 404 },
	{
		name: "beta's comment hidden from alpha's discussion",
		route: `${team}/use-cases.$useCaseId.discussion`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'hide', commentId: w.b.commentId, reason: 'Off topic here' }),
		expect: 404,
		unchanged: (w) => commentRow(w.b.commentId),
	},
	{
		name: "beta's comment deleted from alpha's discussion",
		route: `${team}/use-cases.$useCaseId.discussion`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'delete', commentId: w.b.commentId }),
		expect: 404,
		unchanged: (w) => commentRow(w.b.commentId),
	},
	{
		name: "beta's comment edited from alpha's discussion",
		route: `${team}/use-cases.$useCaseId.discussion`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'edit', commentId: w.b.commentId, body: 'Rewritten' }),
		expect: 404,
		unchanged: (w) => commentRow(w.b.commentId),
	},
	{ name: "beta's version label under alpha", route: `${ver}/_index`, method: 'GET', principal: 'owner', params: (w) => ({ label: w.b.label }), expect: 404 },
	{ name: "beta's version label under alpha (report)", route: `${ver}/report[.]json`, method: 'GET', principal: 'owner', params: (w) => ({ label: w.b.label }), expect: 404 },
	{ name: "beta's round under alpha v1", route: `${ver}/rounds.$roundId`, method: 'GET', principal: 'owner', params: (w) => ({ roundId: w.b.roundId }), expect: 404 },
	{
		name: "beta's round under alpha v1 (invite)",
		route: `${ver}/rounds.$roundId`,
		method: 'POST',
		principal: 'owner',
		params: (w) => ({ roundId: w.b.roundId }),
		body: () => form({ intent: 'invite', emails: 'intruder@example.org', role: 'community' }),
		expect: 404,
	},
	{ name: "beta's issue number under alpha v1", route: `${ver}/issues.$number`, method: 'GET', principal: 'owner', params: (w) => ({ number: String(onlyInBeta(w)) }), expect: 404 },
	{
		name: "beta's issue number under alpha v1 (note)",
		route: `${ver}/issues.$number`,
		method: 'POST',
		principal: 'owner',
		params: (w) => ({ number: String(onlyInBeta(w)) }),
		body: () => form({ intent: 'note', note: 'Not yours.' }),
		expect: 404,
	},
	{ name: "beta's import under alpha v1", route: `${ver}/imports.$importId`, method: 'GET', principal: 'owner', params: (w) => ({ importId: w.b.importId }), expect: 404 },
	{ name: "beta's import under alpha v1 (progress)", route: `${ver}/imports.$importId.progress`, method: 'GET', principal: 'owner', params: (w) => ({ importId: w.b.importId }), expect: 404 },
	// A staged upload is reached only under its own version: alpha's, opened on beta's draft by beta's owner, is not there (and stays staged).
	{
		name: "alpha's staged Parquet upload under beta's draft",
		route: `${ver}/columns.$uploadId`,
		method: 'POST',
		principal: 'otherOwner',
		params: (w) => ({ slug: w.b.slug, label: 'b2', uploadId: w.a.stagedUploadId }),
		body: () => form({ intent: 'cancel' }),
		expect: 302,
		unchanged: async () => (await db.select({ id: stagedUploads.id }).from(stagedUploads)).map((r) => r.id),
	},
	{ name: "beta's sample under alpha v1", route: `${ver}/samples.$externalId`, method: 'GET', principal: 'owner', params: () => ({ externalId: 'b-000' }), expect: 404 },
	{
		name: "beta's sample's similar samples through alpha's version (API)",
		route: 'routes/api+/v1.datasets.$dataset.versions.$version.samples_.$externalId.similar',
		method: 'GET',
		principal: 'token',
		params: () => ({ externalId: 'b-000' }),
		expect: 404,
	},
	{
		name: "beta's webhook disabled from alpha",
		route: `${team}/webhooks`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'disable', webhookId: w.b.webhookId }),
		expect: 404,
		unchanged: (w) => webhookRow(w.b.webhookId),
	},
	{
		name: "beta's webhook deleted from alpha",
		route: `${team}/webhooks`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'delete', webhookId: w.b.webhookId }),
		expect: 404,
		unchanged: (w) => webhookRow(w.b.webhookId),
	},
	{
		name: "beta's owner removed from alpha's team",
		route: `${team}/team`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'remove', userId: w.accounts.otherOwner.id }),
		expect: 404,
	},
	{
		name: "beta's token revoked by alpha's owner",
		route: 'routes/account+/tokens',
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'revoke', tokenId: w.b.tokenId }),
		expect: 404,
		unchanged: (w) => tokenRow(w.b.tokenId),
	},
	// Bulk triage names issues by id: beta's is skipped, and alpha's inbox answers as usual.
	{
		name: "beta's issue in alpha's bulk triage",
		route: `${ver}/issues._index`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'bulk_acknowledge', issue: `${w.b.issues[0]!.id}:${w.b.issues[0]!.revision}` }),
		expect: 303,
		unchanged: (w) => issueRow(w.b.issues[0]!.id),
	},
	// revokeInvitation cannot tell "not in this round" from "no longer pending": both 409, and beta's stays pending.
	{
		name: "beta's invitation revoked from alpha's round",
		route: `${ver}/rounds.$roundId`,
		method: 'POST',
		principal: 'owner',
		params: () => ({}),
		body: (w) => form({ intent: 'revoke', invitationId: w.b.invitationId }),
		expect: 409,
		unchanged: (w) => invitationRow(w.b.invitationId),
	},
	{ name: "beta's sample in alpha's round", route: 'routes/rounds+/$roundId+/review.$externalId', method: 'GET', principal: 'participant', params: () => ({ externalId: 'b-000' }), expect: 404 },
	{
		name: "beta's flag withdrawn in alpha's round",
		route: 'routes/rounds+/$roundId+/review.$externalId',
		method: 'POST',
		principal: 'participant',
		params: () => ({}),
		body: (w) => form({ intent: 'withdraw_flag', flagId: w.b.flagId }),
		expect: 404,
		unchanged: (w) => flagRow(w.b.flagId),
	},
	{
		name: "beta's use case in alpha's round",
		route: 'routes/rounds+/$roundId+/use-cases.$useCaseId',
		method: 'GET',
		principal: 'participant',
		params: (w) => ({ useCaseId: w.b.useCaseId }),
		expect: 404,
	},
	{
		name: "beta's use case in alpha's round (comment)",
		route: 'routes/rounds+/$roundId+/use-cases.$useCaseId',
		method: 'POST',
		principal: 'participant',
		params: (w) => ({ useCaseId: w.b.useCaseId }),
		body: () => form({ intent: 'comment', stance: 'opposed', body: 'Crossing over' }),
		expect: 404,
	},
	{
		name: "beta's comment edited from alpha's round",
		route: 'routes/rounds+/$roundId+/use-cases.$useCaseId',
		method: 'POST',
		principal: 'participant',
		params: () => ({}),
		body: (w) => form({ intent: 'edit', commentId: w.b.commentId, stance: 'opposed', body: 'Rewritten' }),
		expect: 404,
		unchanged: (w) => commentRow(w.b.commentId),
	},
	{
		name: "alpha's token on beta (gate)",
		route: 'routes/api+/v1.datasets.$dataset.versions.$version.gate',
		method: 'GET',
		principal: 'token',
		params: (w) => ({ dataset: w.b.slug, version: w.b.label }),
		expect: 404,
	},
	{
		name: "beta's version label under alpha (API gate)",
		route: 'routes/api+/v1.datasets.$dataset.versions.$version.gate',
		method: 'GET',
		principal: 'token',
		params: (w) => ({ version: w.b.label }),
		expect: 404,
	},
	{
		name: "alpha's token uploading to beta's draft",
		route: 'routes/api+/v1.datasets.$dataset.versions.$version.samples',
		method: 'PUT',
		principal: 'token',
		params: (w) => ({ dataset: w.b.slug, version: 'b2' }),
		body: () => ({ ndjson: '{"id":"x","content":"y"}\n' }),
		expect: 404,
	},
	// Invitation links as their holders see them.
	{ name: 'the pending invitee opens their own link', route: 'routes/invitations.$token', method: 'GET', principal: 'invitee', params: (w) => ({ token: w.a.inviteeToken }), expect: 200 },
	{ name: 'a participant opens the link they accepted', route: 'routes/invitations.$token', method: 'GET', principal: 'participant', params: (w) => ({ token: w.a.participantToken }), expect: 302 },
	// An accepted link reads as a pending one to anyone but the person who accepted (decision 027).
	{ name: 'someone else opens an accepted link', route: 'routes/invitations.$token', method: 'GET', principal: 'stranger', params: (w) => ({ token: w.a.participantToken }), expect: 200 },
	{
		name: "someone else accepts the invitee's link",
		route: 'routes/invitations.$token',
		method: 'POST',
		principal: 'stranger',
		params: (w) => ({ token: w.a.inviteeToken }),
		body: () => form({ intent: 'accept' }),
		expect: 403,
	},
]

/** An issue number beta's v1 has and alpha's v1 does not. */
function onlyInBeta(w: World) {
	return w.b.issues.at(-1)!.number
}

const commentRow = (id: string) => db.select().from(comments).where(eq(comments.id, id))
const webhookRow = (id: string) => db.select().from(webhooks).where(eq(webhooks.id, id))
const tokenRow = (id: string) => db.select().from(apiTokens).where(eq(apiTokens.id, id))
const issueRow = (id: string) => db.select().from(issues).where(eq(issues.id, id))
const invitationRow = (id: string) => db.select().from(invitations).where(eq(invitations.id, id))
const flagRow = (id: string) => db.select().from(flags).where(eq(flags.id, id))
