import { directionOf, type Language } from '#app/utils/i18n.ts'

/** A paragraph of our own words, or someone else's words shown as a quotation (an owner's message). */
export type EmailParagraph = string | { quote: string }

export type RenderedEmail = { subject: string; text: string; html: string }

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => entities[c]!)
}

// Escaped first, so the only markup a line break can add is our own <br>.
const escapeLines = (value: string) => escapeHtml(value.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>\n')

const font =
	"-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Devanagari', 'Nirmala UI', Mangal, 'Noto Sans Arabic', 'Noto Naskh Arabic', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', Tahoma, Arial, sans-serif"
const styles = {
	body: 'margin:0;padding:0;background-color:#f5f5f4;',
	main: `max-width:600px;margin:0 auto;padding:32px 24px;background-color:#ffffff;color:#1c1917;font-family:${font};font-size:16px;line-height:1.6;`,
	paragraph: 'margin:0 0 16px;',
	// Physical sides, not border-inline-start: several email clients ignore logical properties.
	quote: (dir: 'ltr' | 'rtl') => `margin:0 0 16px;padding:8px 16px;border-${dir === 'rtl' ? 'right' : 'left'}:4px solid #a8a29e;color:#44403c;`,
	action: 'margin:24px 0 8px;',
	button: 'display:inline-block;padding:12px 24px;border-radius:6px;background-color:#1e40af;color:#ffffff;font-weight:600;text-decoration:none;',
	// The address is written left to right, but aligned with the rest of an RTL email.
	link: (dir: 'ltr' | 'rtl') => `margin:0 0 24px;font-size:14px;word-break:break-all;text-align:${dir === 'rtl' ? 'right' : 'left'};`,
	linkText: 'color:#1e40af;',
	footer: 'margin:24px 0 0;padding-top:16px;border-top:1px solid #e7e5e4;font-size:13px;color:#57534e;',
}

/**
 * The one layout every email uses: a plain text part and a simple HTML part with the same words.
 * Every interpolated string is escaped, so text that came from a user never becomes markup.
 */
export function renderEmail({
	language,
	subject,
	paragraphs,
	action,
	footer,
}: {
	language: Language
	subject: string
	paragraphs: EmailParagraph[]
	action?: { label: string; url: string }
	footer: string
}): RenderedEmail {
	// A link in an email must be absolute, and only ever http(s) (never javascript: or data:).
	if (action && !/^https?:\/\//i.test(action.url)) throw new Error(`Email links must be absolute http(s) URLs, got "${action.url}"`)
	const dir = directionOf(language)

	const textBlocks = paragraphs.map((p) =>
		typeof p === 'string'
			? p
			: p.quote
					.replace(/\r\n?/g, '\n')
					.split('\n')
					.map((line) => `> ${line}`)
					.join('\n'),
	)
	if (action) textBlocks.push(`${action.label}:\n${action.url}`)
	textBlocks.push(`-- \n${footer}`)
	const text = textBlocks.join('\n\n') + '\n'

	const htmlBlocks = paragraphs.map((p) =>
		typeof p === 'string' ? `<p style="${styles.paragraph}">${escapeLines(p)}</p>` : `<blockquote dir="auto" style="${styles.quote(dir)}">${escapeLines(p.quote)}</blockquote>`,
	)
	if (action) {
		const href = escapeHtml(action.url)
		htmlBlocks.push(
			`<p style="${styles.action}"><a href="${href}" style="${styles.button}">${escapeHtml(action.label)}</a></p>`,
			// The address itself too, for clients that hide styled links and for copying.
			`<p dir="ltr" style="${styles.link(dir)}"><a href="${href}" style="${styles.linkText}">${escapeHtml(action.url)}</a></p>`,
		)
	}
	const html = [
		'<!doctype html>',
		`<html lang="${escapeHtml(language)}" dir="${dir}">`,
		'<head>',
		'<meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		`<title>${escapeHtml(subject)}</title>`,
		'</head>',
		`<body style="${styles.body}">`,
		`<div role="article" aria-label="${escapeHtml(subject)}" lang="${escapeHtml(language)}" dir="${dir}" style="${styles.main}">`,
		...htmlBlocks,
		`<p style="${styles.footer}">${escapeLines(footer)}</p>`,
		'</div>',
		'</body>',
		'</html>',
		'',
	].join('\n')

	return { subject, text, html }
}
