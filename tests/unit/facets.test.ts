import { expect, test } from 'vitest'
import { FacetCounter, facetFilterToJson } from '#app/domain/import/facets.ts'

test('facets count nested metadata values and languages, dropping keys whose values never repeat', () => {
	const f = new FacetCounter()
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

test('a facet becomes a containment filter', () => {
	expect(facetFilterToJson('persona.origin', 'Oaxaca')).toEqual({ persona: { origin: 'Oaxaca' } })
	expect(facetFilterToJson('age', 60)).toEqual({ age: 60 })
})
