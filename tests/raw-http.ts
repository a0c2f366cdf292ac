/**
 * HTTP/1.1 over a bare socket (Node `net`), for tests that must control every byte: bodies larger
 * than they claim or without any length, slow bodies, several requests on one keep-alive
 * connection, Host headers and targets no HTTP client would send.
 */
import net from 'node:net'

export type RawResponse = { status: number; headers: Record<string, string>; body: Buffer }

export class RawConnection {
	private socket: net.Socket
	private buffer = Buffer.alloc(0)
	private waiting: (() => void) | null = null
	closed = false
	readonly ready: Promise<void>

	constructor(port: number, host = '127.0.0.1') {
		this.socket = net.connect(port, host)
		this.socket.setNoDelay(true)
		this.ready = new Promise((resolve, reject) => {
			this.socket.once('connect', () => resolve())
			this.socket.once('error', reject)
		})
		this.socket.on('data', (chunk: Buffer) => {
			this.buffer = Buffer.concat([this.buffer, chunk])
			this.wake()
		})
		this.socket.on('error', () => {})
		this.socket.on('close', () => {
			this.closed = true
			this.wake()
		})
	}

	private wake() {
		const w = this.waiting
		this.waiting = null
		w?.()
	}

	/** Writes bytes; resolves when the kernel took them (false if the connection is gone). */
	write(data: string | Buffer): Promise<boolean> {
		if (this.closed || this.socket.destroyed) return Promise.resolve(false)
		return new Promise((resolve) => {
			const onClose = () => resolve(false)
			this.socket.once('close', onClose)
			this.socket.write(data, (error) => {
				this.socket.off('close', onClose)
				resolve(!error)
			})
		})
	}

	private async more(deadline: number) {
		if (this.closed) throw new Error('connection closed')
		const left = deadline - Date.now()
		if (left <= 0) throw new Error('timed out waiting for a response')
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				this.waiting = null
				resolve()
			}, left)
			this.waiting = () => {
				clearTimeout(timer)
				resolve()
			}
		})
	}

	/** Reads one response (Content-Length, chunked, or until close). Rejects on timeout or a close before a response. */
	async response(timeoutMs = 10_000): Promise<RawResponse> {
		const deadline = Date.now() + timeoutMs
		let end: number
		while ((end = this.buffer.indexOf('\r\n\r\n')) < 0) await this.more(deadline)
		const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n')
		this.buffer = this.buffer.subarray(end + 4)
		const status = Number(head[0]!.split(' ')[1])
		const headers: Record<string, string> = {}
		for (const line of head.slice(1)) {
			const i = line.indexOf(':')
			const key = line.slice(0, i).trim().toLowerCase()
			headers[key] = headers[key] ? `${headers[key]}, ${line.slice(i + 1).trim()}` : line.slice(i + 1).trim()
		}
		if (status === 100) return this.response(Math.max(1, deadline - Date.now()))
		if (headers['content-length'] !== undefined) {
			const length = Number(headers['content-length'])
			while (this.buffer.length < length) await this.more(deadline)
			const body = this.buffer.subarray(0, length)
			this.buffer = this.buffer.subarray(length)
			return { status, headers, body }
		}
		if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
			const parts: Buffer[] = []
			for (;;) {
				let lineEnd: number
				while ((lineEnd = this.buffer.indexOf('\r\n')) < 0) await this.more(deadline)
				const size = parseInt(this.buffer.subarray(0, lineEnd).toString('latin1'), 16)
				while (this.buffer.length < lineEnd + 2 + size + 2) await this.more(deadline)
				parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size))
				this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2)
				if (size === 0) break
			}
			return { status, headers, body: Buffer.concat(parts) }
		}
		if (status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) }
		while (!this.closed) await this.more(deadline).catch(() => {})
		const body = this.buffer
		this.buffer = Buffer.alloc(0)
		return { status, headers, body }
	}

	/** Resolves once the server has closed the connection (or after `timeoutMs`, with false). */
	async waitClosed(timeoutMs = 5_000): Promise<boolean> {
		const deadline = Date.now() + timeoutMs
		while (!this.closed && Date.now() < deadline) await this.more(deadline).catch(() => {})
		return this.closed
	}

	destroy() {
		this.socket.destroy()
	}
}

/** A request head; `headers` are written as given, in order (a Host header is not added). */
export function requestHead(method: string, target: string, headers: Record<string, string | number>): string {
	return `${method} ${target} HTTP/1.1\r\n${Object.entries(headers)
		.map(([k, v]) => `${k}: ${v}\r\n`)
		.join('')}\r\n`
}

/** One chunk of a chunked body (an empty one ends it). */
export const chunk = (data: Buffer | string) => {
	const bytes = typeof data === 'string' ? Buffer.from(data) : data
	return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
}
