import ReactMarkdown, { type Components } from 'react-markdown'

// Each block takes the direction of its own first strong letter: an English paragraph in an
// Arabic page (or the reverse) keeps its punctuation where its writer put it.
const blocks: Components = {
	p: ({ node: _, ...props }) => <p dir="auto" {...props} />,
	li: ({ node: _, ...props }) => <li dir="auto" {...props} />,
	blockquote: ({ node: _, ...props }) => <blockquote dir="auto" {...props} />,
	h1: ({ node: _, ...props }) => <h1 dir="auto" {...props} />,
	h2: ({ node: _, ...props }) => <h2 dir="auto" {...props} />,
	h3: ({ node: _, ...props }) => <h3 dir="auto" {...props} />,
	h4: ({ node: _, ...props }) => <h4 dir="auto" {...props} />,
	td: ({ node: _, ...props }) => <td dir="auto" {...props} />,
	th: ({ node: _, ...props }) => <th dir="auto" {...props} />,
}

/**
 * Markdown written by users (descriptions, guidelines). Raw HTML in the source is shown as text,
 * never rendered, and react-markdown's URL filter drops javascript: and other unsafe links.
 */
export function Markdown({ children }: { children: string }) {
	return (
		<div className="prose-rt">
			<ReactMarkdown skipHtml={false} disallowedElements={['img']} unwrapDisallowed components={blocks}>
				{children}
			</ReactMarkdown>
		</div>
	)
}
