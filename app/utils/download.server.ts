/**
 * A file download streamed as the client reads it (decision 018): `pull` asks the source for its
 * next chunk, so a slow reader holds the database reads back, and a client that goes away stops
 * them (`cancel`). Private to whoever may read it: never cached by shared caches.
 */
export function streamedDownload(filename: string, contentType: string, chunks: AsyncIterable<string | Uint8Array>): Response {
	return new Response(byteStream(chunks), {
		headers: {
			'Content-Type': contentType,
			'Content-Disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
		},
	})
}

export function byteStream(chunks: AsyncIterable<string | Uint8Array>): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder()
	const it = chunks[Symbol.asyncIterator]()
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { value, done } = await it.next()
				if (done) controller.close()
				else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value)
			} catch (error) {
				controller.error(error)
			}
		},
		async cancel() {
			await it.return?.()
		},
	})
}
