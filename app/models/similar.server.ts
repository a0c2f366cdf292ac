/**
 * Similar samples (issue #22, decision 055): the queue row each published import leaves for the
 * similar-samples job, the job's batches and result (the import's band groups), and the lookup
 * that pages and the API read. The arithmetic is pure (app/domain/similar/); the job that drives
 * the index is app/jobs/similar.server.ts.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import { samples, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { issueSamples, sampleBandGroups, versionSimilarity } from '#db/schema/similar.ts'
import { searchableText } from '#app/domain/search/text.ts'
import { type BandGroup, rankCandidates } from '#app/domain/similar/groups.ts'
import { bands, jaccard, saltOf, shingles, signature } from '#app/domain/similar/minhash.ts'
import { MAX_CANDIDATES, MAX_TEMPLATE_MATCHES, type SimilarAddedHow, type SimilarIndexState } from '#app/domain/similar/status.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'
import { claimVersionJob, failVersionJob, heldBy, recordVersionJobProgress, type VersionJobClaim } from './version-job.server.ts'

/** In the transaction that publishes an import: the version's index is to be built (again) from it. */
export async function queueSimilarity(tx: Tx, { versionId, importId, total }: { versionId: string; importId: string; total: number }) {
	const queued = { importId, status: 'queued' as const, samplesDone: 0, samplesTotal: total, error: null, attempts: 0, queuedAt: new Date(), heartbeatAt: null }
	await tx
		.insert(versionSimilarity)
		.values({ versionId, ...queued })
		.onConflictDoUpdate({ target: versionSimilarity.versionId, set: { ...queued, computedAt: null, groups: null } })
}

/** A replaced or dropped sample set's groups go with its samples. */
export async function dropBandGroups(importId: string) {
	await db.delete(sampleBandGroups).where(eq(sampleBandGroups.importId, importId))
}

export const claimSimilarity = () => claimVersionJob(versionSimilarity)
export const recordSimilarityProgress = (claim: VersionJobClaim, done: number) => recordVersionJobProgress(versionSimilarity, claim, done)
export const failSimilarity = (claim: VersionJobClaim, message: string) => failVersionJob(versionSimilarity, claim, message)

export type SimilarSampleRow = { id: number; content: string | null; messages: Array<{ role: string; content: string }> | null }

/** The next batch of an import's samples after `afterId`, only what the index reads (keyset on the primary key). */
export async function readSimilarityBatch(importId: string, afterId: number, limit: number): Promise<SimilarSampleRow[]> {
	return db
		.select({ id: samples.id, content: samples.content, messages: samples.messages })
		.from(samples)
		.where(and(eq(samples.importId, importId), gt(samples.id, afterId)))
		.orderBy(asc(samples.id))
		.limit(limit)
}

/** Groups written per statement (one text parameter, split by the database). */
const GROUPS_PER_STATEMENT = 5000

/** The index, in one transaction; false (nothing written) when the claim went stale meanwhile. */
export async function storeSimilarity(claim: VersionJobClaim, groups: Iterable<BandGroup>, samplesRead: number): Promise<boolean> {
	return db.transaction(async (tx) => {
		const [held] = await tx.select({ versionId: versionSimilarity.versionId }).from(versionSimilarity).where(heldBy(versionSimilarity, claim)).for('update')
		if (!held) return false
		await tx.delete(sampleBandGroups).where(eq(sampleBandGroups.importId, claim.importId))
		let count = 0
		// A value two band positions share by chance is one row holding both groups' samples: merged
		// here within a statement (ON CONFLICT cannot update a row the same statement inserted), by
		// ON CONFLICT across statements.
		let pending = new Map<number, number[]>()
		const flush = async () => {
			if (!pending.size) return
			const lines = [...pending].map(([band, ids]) => `${band} {${ids.join(',')}}`)
			pending = new Map()
			await tx.execute(sql`
				insert into ${sampleBandGroups} (import_id, band, sample_ids)
				select ${claim.importId}::uuid, split_part(l, ' ', 1)::int, split_part(l, ' ', 2)::bigint[]
				from unnest(string_to_array(${lines.join('\n')}, E'\n')) l
				on conflict (import_id, band) do update set sample_ids = ${sampleBandGroups}.sample_ids || excluded.sample_ids`)
		}
		for (const g of groups) {
			const ids = pending.get(g.band)
			pending.set(g.band, ids ? ids.concat(g.sampleIds) : g.sampleIds)
			count++
			if (pending.size >= GROUPS_PER_STATEMENT) await flush()
		}
		await flush()
		await tx.update(versionSimilarity).set({ status: 'succeeded', samplesDone: samplesRead, heartbeatAt: new Date(), computedAt: new Date(), groups: count }).where(heldBy(versionSimilarity, claim))
		return true
	})
}

/** The state line of the similar-samples section: queued, building n of N, ready, failed, or none (no samples yet). */
export async function getSimilarityState(versionId: string): Promise<SimilarIndexState> {
	const [row] = await db
		.select({ status: versionSimilarity.status, done: versionSimilarity.samplesDone, total: versionSimilarity.samplesTotal, error: versionSimilarity.error, computedAt: versionSimilarity.computedAt })
		.from(versionSimilarity)
		.where(eq(versionSimilarity.versionId, versionId))
	if (!row) return { status: 'none' }
	if (row.status === 'queued') return { status: 'queued', total: row.total }
	if (row.status === 'running') return { status: 'running', done: row.done, total: row.total }
	if (row.status === 'failed') return { status: 'failed', error: row.error ?? '' }
	return { status: 'succeeded', computedAt: (row.computedAt ?? new Date(0)).toISOString() }
}

/** What is shared with the source: near-duplicate text, the same template, the same persona. */
export type SimilarShared = 'text' | 'template' | 'persona'
export type SimilarSample = { id: number; externalId: string; contentHash: string; similarity: number; shared: SimilarShared[] }
export type SimilarLookup = {
	/** Every sample like the source at the threshold (text, or template × persona), most similar first. */
	similar: SimilarSample[]
	/** Whether a cap cut the search (MAX_CANDIDATES texts compared, MAX_TEMPLATE_MATCHES read): more may exist. */
	capped: boolean
	/** The text index's state: until it is ready, only template × persona matches are found. */
	index: SimilarIndexState
}

/** The value at a dotted metadata key ("persona.group"), or undefined. */
export function metadataAt(metadata: Record<string, unknown>, key: string): unknown {
	let value: unknown = metadata
	for (const part of key.split('.')) {
		if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
		value = (value as Record<string, unknown>)[part]
	}
	return value
}

/** The object `metadata @> …` matches for these dotted keys' values (merged where the keys share a prefix). */
function containment(pairs: Array<[string, unknown]>): Record<string, unknown> {
	const out: Record<string, unknown> = {}
	for (const [key, value] of pairs) {
		const parts = key.split('.')
		let node = out
		for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>
		node[parts[parts.length - 1]!] = value
	}
	return out
}

const sameJson = (a: unknown, b: unknown) => a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b)

/**
 * The samples of a version like one of its samples: near-duplicate texts at Jaccard ≥ `min` (the
 * candidates sharing a band, then the exact Jaccard of their texts), and when the owner marked the
 * template and persona keys, the samples with the same values of them whatever their text. Null
 * when the version has no such sample.
 */
export async function findSimilar(input: { versionId: string; externalId: string; min: number }): Promise<({ source: { id: number; externalId: string } } & SimilarLookup) | null> {
	const [version] = await db.select({ importId: versions.currentImportId, templateKey: versions.templateKey, personaKey: versions.personaKey }).from(versions).where(eq(versions.id, input.versionId))
	if (!version?.importId) return null
	const importId = version.importId
	const [source] = await db
		.select({ id: samples.id, externalId: samples.externalId, content: samples.content, messages: samples.messages, metadata: samples.metadata })
		.from(samples)
		.where(and(eq(samples.importId, importId), eq(samples.externalId, input.externalId)))
	if (!source) return null
	const index = await getSimilarityState(input.versionId)
	const sourceSet = shingles(searchableText(source))
	let capped = false

	// Text: the groups of the source's band values, when the index of this sample set is built.
	let candidateIds: number[] = []
	const sig = signature(sourceSet)
	if (sig && index.status === 'succeeded') {
		const groups = await query<{ sample_ids: Array<string | number> }>(
			sql`select sample_ids from ${sampleBandGroups} where import_id = ${importId} and band = any(${`{${bands(sig, saltOf(importId)).join(',')}}`}::int[])`,
		)
		const all = rankCandidates(
			groups.map((g) => g.sample_ids.map(Number)),
			source.id,
			Number.MAX_SAFE_INTEGER,
		)
		capped ||= all.length > MAX_CANDIDATES
		candidateIds = all.slice(0, MAX_CANDIDATES)
	}

	// Template × persona: the same values of the marked keys (both when both are marked).
	const keys = (
		[
			['template', version.templateKey],
			['persona', version.personaKey],
		] as const
	).filter(([, key]) => key)
	const values = keys.map(([kind, key]) => [kind, key, metadataAt(source.metadata, key)] as const)
	const matchable = values.length > 0 && values.every(([, , v]) => v !== undefined && v !== null)
	let templateIds: number[] = []
	if (matchable) {
		const rows = await db
			.select({ id: samples.id })
			.from(samples)
			.where(and(eq(samples.importId, importId), sql`${samples.metadata} @> ${JSON.stringify(containment(values.map(([, k, v]) => [k, v])))}::jsonb`, sql`${samples.id} <> ${source.id}`))
			.orderBy(asc(samples.id))
			.limit(MAX_TEMPLATE_MATCHES + 1)
		capped ||= rows.length > MAX_TEMPLATE_MATCHES
		templateIds = rows.slice(0, MAX_TEMPLATE_MATCHES).map((r) => r.id)
	}
	const metadataMatch = new Set(templateIds)

	const similar: SimilarSample[] = []
	const ids = [...new Set([...candidateIds, ...templateIds])]
	for (let i = 0; i < ids.length; i += 1000) {
		const rows = await db
			.select({ id: samples.id, externalId: samples.externalId, contentHash: samples.contentHash, content: samples.content, messages: samples.messages, metadata: samples.metadata })
			.from(samples)
			.where(inArray(samples.id, ids.slice(i, i + 1000)))
		for (const row of rows) {
			const similarity = jaccard(sourceSet, shingles(searchableText(row)))
			const shared: SimilarShared[] = []
			if (similarity >= input.min) shared.push('text')
			for (const [kind, key, value] of values) if (sameJson(metadataAt(row.metadata, key), value)) shared.push(kind)
			// `@>` also matches a value with more in it (an object with one more field, a list with one more item): the same template × persona is the same values of every marked key.
			const sameKeys = metadataMatch.has(row.id) && values.every(([kind]) => shared.includes(kind))
			if (shared.includes('text') || sameKeys) similar.push({ id: row.id, externalId: row.externalId, contentHash: row.contentHash, similarity, shared })
		}
	}
	similar.sort((a, b) => b.similarity - a.similarity || (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0))
	return { source: { id: source.id, externalId: source.externalId }, similar, capped, index }
}

export type IssueSampleRow = { externalId: string; similarity: number | null; how: string; addedAt: Date; present: boolean }

/** The samples an issue was extended to, most similar first (present: still in the version's current samples). */
export async function listIssueSamples(issueId: string): Promise<IssueSampleRow[]> {
	const rows = await db
		.select({ externalId: issueSamples.externalId, similarity: issueSamples.similarity, how: issueSamples.how, addedAt: issueSamples.addedAt, sampleId: issueSamples.sampleId })
		.from(issueSamples)
		.where(eq(issueSamples.issueId, issueId))
		.orderBy(sql`${issueSamples.similarity} desc nulls last`, asc(issueSamples.externalId))
	return rows.map(({ sampleId, ...r }) => ({ ...r, present: sampleId !== null }))
}

export type ExtendOutcome = { ok: true; added: number } | { ok: false; reason: 'not_sample_issue' | 'none_selected' | 'not_similar' }

/**
 * Extends a sample issue to samples like its sample (issue #22): the picked ones (each must be
 * similar at the threshold the team looked at: a tampered form adds nothing), or every one. Each
 * is kept with its similarity and who added it; an issue already holding a sample keeps it once.
 * Audited on the dataset.
 */
export async function extendIssue(input: {
	versionId: string
	issue: { id: string; number: number; kind: string; externalId: string | null }
	actor: { userId: string; datasetId: string }
	min: number
	pick: string[] | 'all'
	/** Adding all of them on an audit's evidence (the audit's id, recorded in the log). */
	audit?: string
}): Promise<ExtendOutcome> {
	if (input.issue.kind !== 'sample' || !input.issue.externalId) return { ok: false, reason: 'not_sample_issue' }
	if (input.pick !== 'all' && !input.pick.length) return { ok: false, reason: 'none_selected' }
	const found = await findSimilar({ versionId: input.versionId, externalId: input.issue.externalId, min: input.min })
	if (!found) return { ok: false, reason: 'not_sample_issue' }
	const picked = input.pick === 'all' ? null : new Set(input.pick)
	const chosen = found.similar.filter((s) => !picked || picked.has(s.externalId))
	if (picked && chosen.length !== picked.size) return { ok: false, reason: 'not_similar' }
	const how: SimilarAddedHow = picked ? 'picked' : input.audit ? 'audit' : 'all'
	return db.transaction(async (tx) => {
		let added = 0
		for (let i = 0; i < chosen.length; i += 500) {
			const rows = await tx
				.insert(issueSamples)
				.values(
					chosen.slice(i, i + 500).map((s) => ({
						issueId: input.issue.id,
						sampleId: s.id,
						externalId: s.externalId,
						contentHash: s.contentHash,
						similarity: s.shared.includes('text') ? s.similarity : null,
						how,
						addedBy: input.actor.userId,
					})),
				)
				.onConflictDoNothing()
				.returning({ externalId: issueSamples.externalId })
			added += rows.length
		}
		await tx.update(issues).set({ updatedAt: new Date() }).where(eq(issues.id, input.issue.id))
		await recordAudit(
			{
				datasetId: input.actor.datasetId,
				versionId: input.versionId,
				actorId: input.actor.userId,
				action: 'issue.extended',
				targetType: 'issue',
				targetId: input.issue.id,
				targetLabel: `#${input.issue.number}`,
				after: { added, how, min: input.min, ...(input.audit ? { audit: input.audit } : {}) },
			},
			tx,
		)
		return { ok: true as const, added }
	})
}

/** Carry-over (inside the publishing transaction): a child's copy of an issue keeps the extended samples the child kept unchanged (same id and hash). */
export async function carryOverIssueSamples(tx: Pick<Tx, 'execute'>, { fromIssueId, toIssueId, importId }: { fromIssueId: string; toIssueId: string; importId: string }) {
	await tx.execute(sql`
		insert into ${issueSamples} (issue_id, sample_id, external_id, content_hash, similarity, how, added_by, added_at)
		select ${toIssueId}::uuid, s.id, p.external_id, p.content_hash, p.similarity, 'carried', p.added_by, p.added_at
		from ${issueSamples} p
		join ${samples} s on s.import_id = ${importId} and s.external_id = p.external_id and s.content_hash = p.content_hash
		where p.issue_id = ${fromIssueId}
		on conflict do nothing`)
}
