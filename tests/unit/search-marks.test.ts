import { expect, test } from 'vitest'
import { searchVector, tokenize } from '#app/domain/search/text.ts'

// A combining mark of a continuous script right after another script's letter (found by the XSS
// fixture's hostile sample text) made a run with no base character, and the import threw.
test('a run of marks alone indexes nothing and throws nothing', () => {
	for (const text of ['a\u0e31', '\u0e31\u0e34', 'x\u0e31 กข', '\u0301', '\u3099']) {
		expect(() => searchVector(text), JSON.stringify(text)).not.toThrow()
		for (const t of tokenize(text)) expect(typeof t.lexeme, JSON.stringify(text)).toBe('string')
	}
	expect(tokenize('x\u0e31 กข').map((t) => t.lexeme)).toEqual(['x', 'กข', 'ข'])
})
