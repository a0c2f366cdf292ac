import { parse, parseFragment } from 'parse5'

/**
 * Checks HTML the way a browser would read it (parse5 is the WHATWG parsing algorithm): what
 * could run script, load a frame or plugin, rewrite URLs or refresh the page. Returns one line per
 * problem found, so a failing assertion says where.
 */

type Attr = { name: string; value: string; prefix?: string }
type Node = { nodeName: string; tagName?: string; attrs?: Attr[]; childNodes?: Node[]; content?: Node; value?: string }

/** Elements user text must never introduce (our own pages and emails have none of them). */
const FORBIDDEN_ELEMENTS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'link', 'style', 'portal', 'param'])
/** Attributes a browser follows as a URL (or a list of them). */
const URL_ATTRIBUTES = new Set([
	'href',
	'src',
	'action',
	'formaction',
	'data',
	'poster',
	'background',
	'ping',
	'cite',
	'lowsrc',
	'dynsrc',
	'codebase',
	'longdesc',
	'manifest',
	'icon',
	'xlink:href',
	'srcset',
	'imagesrcset',
	'to',
	'from',
	'values',
	'by',
])
const DANGEROUS_SCHEME = /^(?:javascript|vbscript|data|livescript|mocha):/

/** A URL as the URL parser sees it: C0 controls and spaces trimmed, tabs and line breaks removed anywhere. */
export function normalizedUrl(value: string): string {
	return value
		.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
		.replace(/[\t\n\r]/g, '')
		.toLowerCase()
}

function walk(node: Node, visit: (n: Node) => void) {
	visit(node)
	for (const child of node.childNodes ?? []) walk(child, visit)
	if (node.content) walk(node.content, visit)
}

/** Remix's <PrefetchPageLinks> (the focus view's next sample): a same-origin prefetch, ours, not user markup. */
function isOwnPrefetch(n: Node) {
	const attr = (name: string) => n.attrs?.find((a) => a.name === name && !a.prefix)?.value
	return n.tagName === 'link' && ['prefetch', 'modulepreload'].includes(attr('rel') ?? '') && /^\/(?![/\\])/.test(attr('href') ?? '') && n.attrs!.every((a) => ['rel', 'href', 'as'].includes(a.name))
}

function describe(n: Node) {
	return `<${n.tagName}${(n.attrs ?? []).map((a) => ` ${a.prefix ? `${a.prefix}:` : ''}${a.name}="${a.value.slice(0, 60)}"`).join('')}>`
}

export function htmlProblems(html: string, options: { document?: boolean } = {}): string[] {
	const tree = (options.document ? parse(html) : parseFragment(html)) as unknown as Node
	const problems: string[] = []
	walk(tree, (n) => {
		if (!n.tagName) return
		const tag = n.tagName.toLowerCase()
		if (FORBIDDEN_ELEMENTS.has(tag) && !isOwnPrefetch(n)) problems.push(`element ${describe(n)}`)
		for (const a of n.attrs ?? []) {
			const name = (a.prefix ? `${a.prefix}:${a.name}` : a.name).toLowerCase()
			const local = a.name.toLowerCase()
			if (local.startsWith('on')) problems.push(`event handler ${name} on ${describe(n)}`)
			if (local === 'srcdoc') problems.push(`srcdoc on ${describe(n)}`)
			if (tag === 'meta' && local === 'http-equiv') problems.push(`meta http-equiv on ${describe(n)}`)
			if (URL_ATTRIBUTES.has(name) || URL_ATTRIBUTES.has(local)) {
				const candidates = local.endsWith('srcset') ? a.value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '') : local === 'values' ? a.value.split(';') : [a.value]
				for (const c of candidates) if (DANGEROUS_SCHEME.test(normalizedUrl(c))) problems.push(`${name}="${a.value.slice(0, 80)}" on <${tag}>`)
			}
			if (local === 'style' && /expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(a.value)) problems.push(`style="${a.value.slice(0, 80)}" on <${tag}>`)
		}
	})
	return problems
}

/** Every text node and attribute value, for checking that user text was really rendered (as text). */
export function renderedText(html: string, options: { document?: boolean } = {}): string {
	const tree = (options.document ? parse(html) : parseFragment(html)) as unknown as Node
	const parts: string[] = []
	walk(tree, (n) => {
		if (n.nodeName === '#text' && n.value) parts.push(n.value)
		for (const a of n.attrs ?? []) parts.push(a.value)
	})
	return parts.join('\n')
}
