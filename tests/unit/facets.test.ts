import { expect, test } from 'vitest'
import { FacetCounter, facetFilterToJson } from '#app/domain/import/facets.ts'

test('facets count nested metadata values and languages, dropping keys whose values never repeat', () => {
	const f = new FacetCounter()
	f.addIds({ next: 1, end: 1025 })
	f.add({ persona: { origin: 'Oaxaca', age: 60 }, prompt_id: 't3', note: 'unique' }, 'es')
	f.add({ persona: { origin: 'Oaxaca', age: 30 }, prompt_id: 't3' }, 'es')
	f.add({ persona: { origin: 'Lagos' }, prompt_id: 't4', flags: ['x'] }, 'en')
	const { facets, languages } = f.toJSON()
	expect(languages).toEqual({ es: 2, en: 1 })
	expect(facets['persona.origin']).toEqual({ Oaxaca: 2, Lagos: 1 })
	// Every age is different: nothing to filter by.
	expect(facets['persona.age']).toBeUndefined()
	expect(facets.prompt_id).toEqual({ t3: 2, t4: 1 })
	expect(facets.note).toBeUndefined()
	expect(facets.flags).toBeUndefined()
})

test('each distinct value gets one id, shared by the samples that have it; describe() classifies keys', () => {
	const f = new FacetCounter()
	f.addIds({ next: 100, end: 1124 })
	const a = f.add({ region: 'Bogotá', ref: 'r1', persona: { identity: 'القاهرة' } }, null)
	const b = f.add({ region: 'Bogotá', ref: 'r2', persona: { identity: '東京' } }, null)
	expect(a[0]).toBe(b[0])
	expect(new Set([...a, ...b]).size).toBe(5)
	for (let i = 3; i <= 60; i++) f.add({ region: i % 2 ? 'Lagos' : 'Bogotá', ref: `r${i}` }, null)
	const keys = Object.fromEntries(f.describe().map((k) => [k.key, k]))
	expect(keys.region).toEqual({ key: 'region', kind: 'list', distinct: 2, rows: 60 })
	// Every ref is different: a search field, not a list of 60 values.
	expect(keys.ref).toMatchObject({ kind: 'search', distinct: 60 })
	// Non-ASCII values are values like any other; identity never repeats and has two values: not offered.
	expect(keys['persona.identity']).toBeUndefined()
	const dictionary = [...f.dictionary()]
	expect(dictionary.map((d) => [d.key, d.value, d.count]).sort()).toEqual([
		['region', 'Bogotá', 31],
		['region', 'Lagos', 29],
	])
	expect(dictionary.find((d) => d.value === 'Bogotá')!.id).toBe(a[0])
})

test('a facet becomes a containment filter', () => {
	expect(facetFilterToJson('persona.origin', 'Oaxaca')).toEqual({ persona: { origin: 'Oaxaca' } })
	expect(facetFilterToJson('age', 60)).toEqual({ age: 60 })
})
