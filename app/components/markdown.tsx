import ReactMarkdown from 'react-markdown'

/**
 * Markdown written by users (descriptions, guidelines). Raw HTML in the source is shown as text,
 * never rendered, and react-markdown's URL filter drops javascript: and other unsafe links.
 */
export function Markdown({ children }: { children: string }) {
	return (
		<div className="prose-rt">
			<ReactMarkdown skipHtml={false} disallowedElements={['img']} unwrapDisallowed>
				{children}
			</ReactMarkdown>
		</div>
	)
}
