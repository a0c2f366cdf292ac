import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdRegistry, type Problem } from '#app/domain/import/validate.ts'

/** What the registry promised when it kept the ids themselves: a Map of each id's first line. */
class MapRegistry {
	private readonly firstLines = new Map<string, number>()
	note(id: string | undefined, line: number) {
		if (id !== undefined && !this.firstLines.has(id)) this.firstLines.set(id, line)
	}
	claim(id: string, line: number): Problem | null {
		const firstLine = this.firstLines.get(id)
		if (firstLine !== undefined) return { code: 'duplicate_id', params: { id, firstLine } }
		this.firstLines.set(id, line)
		return null
	}
}

// Few distinct units, so ids repeat, share prefixes and differ by one unit; lone surrogates too
// (a CSV cannot hold them, a JSONL \u escape can).
const idArb = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '学', '\ud83d', '\ude00'), maxLength: 4 }), fc.string({ maxLength: 12 }))

describe('IdRegistry (hashes of the ids, decision 054)', () => {
	it('reports exactly the duplicates a Map of first lines reports, with the same first line', () => {
		fc.assert(
			fc.property(fc.array(fc.record({ id: idArb, valid: fc.boolean() }), { maxLength: 300 }), (records) => {
				const hashed = new IdRegistry()
				const reference = new MapRegistry()
				records.forEach(({ id, valid }, i) => {
					if (valid) expect(hashed.claim(id, i + 1)).toEqual(reference.claim(id, i + 1))
					else {
						hashed.note(id, i + 1)
						reference.note(id, i + 1)
					}
				})
			}),
			{ numRuns: 300 },
		)
	})

	it('keeps every id through its growth: 200,000 distinct ids, then some again', () => {
		const registry = new IdRegistry()
		const id = (i: number) => `sample-${String(i).padStart(7, '0')}`
		for (let i = 0; i < 200_000; i++) expect(registry.claim(id(i), i + 1)).toBeNull()
		for (let i = 0; i < 200_000; i += 997) expect(registry.claim(id(i), 300_000 + i)).toEqual({ code: 'duplicate_id', params: { id: id(i), firstLine: i + 1 } })
		// A prefix or an extension of a known id is another id.
		expect(registry.claim('sample-000000', 400_001)).toBeNull()
		expect(registry.claim('sample-00000010', 400_002)).toBeNull()
	})
})
