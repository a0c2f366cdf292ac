import { describe, expect, test } from 'vitest'
import { type ColumnMapping, isChatType, mappingFromUses, prefillUses, readColumnMapping } from '#app/domain/import/column-mapping.ts'
import { mappedRowToSample } from '#app/domain/import/parquet-row.ts'

const col = (name: string, type = 'string') => ({ name, type })
const CHAT = 'list<struct<role: string, content: string>>'
const remembered: ColumnMapping = { id: 'uid', content: 'body', messages: null, language: 'lang', image_url: null, image_alt: null, ignore: ['debug'] }

describe('prefillUses', () => {
	test('guesses by name, case-insensitively, each part once; everything else is metadata', () => {
		const columns = [col('ID'), col('text'), col('messages', CHAT), col('lang'), col('id'), col('persona', 'struct<a: string>')]
		expect(prefillUses(columns, null)).toEqual({ uses: ['id', 'content', 'messages', 'language', 'metadata', 'metadata'], missing: [] })
	})

	test('the remembered mapping wins over the guess; a column it lacks is guessed or metadata; a column it had that the file lacks is named', () => {
		// "id" would be guessed, but the remembered id column is "uid"; "body" is gone from this file, so the content is guessed from "text".
		const columns = [col('id'), col('uid'), col('text'), col('lang'), col('debug'), col('new_col')]
		expect(prefillUses(columns, remembered)).toEqual({ uses: ['metadata', 'id', 'content', 'language', 'ignore', 'metadata'], missing: ['body'] })
	})
})

describe('mappingFromUses', () => {
	test('an id and content or messages are required, a part once, and the chat column must be a list of role/content structs', () => {
		const columns = [col('a'), col('b'), col('c', 'list<string>')]
		expect(mappingFromUses(columns, ['metadata', 'metadata', 'metadata']).problems).toEqual([{ code: 'mapping_no_id' }, { code: 'mapping_no_content' }])
		expect(mappingFromUses(columns, ['id', 'id', 'messages']).problems).toEqual([
			{ code: 'mapping_part_twice', part: 'id', columns: 'a, b' },
			{ code: 'mapping_messages_not_list', column: 'c', type: 'list<string>' },
		])
		expect(mappingFromUses(columns, ['id', 'content', 'ignore'])).toEqual({
			mapping: { id: 'a', content: 'b', messages: null, language: null, image_url: null, image_alt: null, ignore: ['c'] },
			problems: [],
		})
	})

	test('isChatType', () => {
		expect(isChatType(CHAT)).toBe(true)
		expect(isChatType('list<struct<content: string, role: string, name: string>>')).toBe(true)
		expect(isChatType('list<struct<role: string>>')).toBe(false)
		expect(isChatType('struct<role: string, content: string>')).toBe(false)
	})
})

describe('mappedRowToSample', () => {
	test('parts from their columns, numeric ids as text, ignored columns left out, the rest into metadata (a metadata column merged)', () => {
		const row = { uid: 7n, body: 'hello', lang: 'sw', debug: 'x', persona: { region: 'Mombasa', age: null }, metadata: '{"source":"hub"}', empty: null }
		expect(mappedRowToSample(row, remembered)).toEqual({ id: '7', content: 'hello', language: 'sw', metadata: { source: 'hub', persona: { region: 'Mombasa' } } })
	})

	test('a mapped column missing from the row leaves the part out, for the importer to report on that row', () => {
		expect(mappedRowToSample({ body: 'x' }, remembered)).toEqual({ content: 'x' })
	})
})

describe('readColumnMapping', () => {
	test('reads back what was stored and refuses anything malformed', () => {
		expect(readColumnMapping(JSON.parse(JSON.stringify(remembered)))).toEqual(remembered)
		for (const bad of [null, [], { id: 3, ignore: [] }, { id: 'a' }, { id: null, ignore: [] }, { id: 'a', ignore: [1] }]) expect(readColumnMapping(bad)).toBeNull()
	})
})
