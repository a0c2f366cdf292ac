import net, { type Socket } from 'node:net'
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** How long a stop waits for requests in progress before the process exits 1. */
const DRAIN_TIMEOUT_MS = 15_000

/**
 * Graceful drain on SIGTERM/SIGINT (or, in a cluster worker, the primary's 'stop'): stop accepting
 * connections, answer every request already sent (in full, then that connection closes), then
 * `finish` (stop the scheduler, close the database pool) and exit 0 — or 1 if requests are still
 * running after 15 s. net.Server's close, not http.Server's: the latter at once destroys every
 * connection without a response in progress, including ones whose request has arrived but not yet
 * been read. Idle connections are closed a moment later instead, once such requests have been read
 * (and are in progress). A cluster worker has no listening socket (its connections come from the
 * primary, app/server/cluster.ts): it is done when its last connection closes.
 * Why not a library (http-terminator, @godaddy/terminus): decision 041.
 */
export function gracefulDrain(server: Server, { inCluster, finish }: { inCluster: boolean; finish: () => Promise<void> }) {
	let stopping = false
	// Requests in progress on each open connection, so a stop can close connections as they fall idle.
	const inProgress = new Map<Socket, number>()
	const closeConnection = (socket: Socket) => socket.end(() => socket.destroy())

	let finishing = false
	const done = async () => {
		if (finishing) return
		finishing = true
		await finish()
		process.exit(0)
	}

	server.on('connection', (socket: Socket) => {
		inProgress.set(socket, 0)
		socket.once('close', () => {
			inProgress.delete(socket)
			if (stopping && inCluster && inProgress.size === 0) void done()
		})
	})
	server.on('request', (req: IncomingMessage, res: ServerResponse) => {
		const socket = req.socket
		inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1)
		if (stopping) res.setHeader('Connection', 'close')
		// 'close' comes after the response was handed to the OS (or was aborted).
		res.once('close', () => {
			if (!inProgress.has(socket)) return
			const left = Math.max(0, (inProgress.get(socket) ?? 1) - 1)
			inProgress.set(socket, left)
			if (stopping && left === 0) closeConnection(socket)
		})
	})

	return function stop(signal: string) {
		if (stopping) return
		stopping = true
		if (!inCluster) console.log(`${signal} received: finishing in-flight requests`)
		const force = setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS)
		force.unref()
		// Not at once: the signal may be handled in the same event-loop turn that has connections
		// waiting to be accepted (a busy loop comes round late); closing the socket first resets them.
		if (!inCluster) setImmediate(() => net.Server.prototype.close.call(server, () => void done()))
		else if (inProgress.size === 0) void done()
		// After the poll phase (setImmediate), so that requests already received are read and counted
		// first, even when the event loop is late; a connection with unparsed bytes is not idle.
		const sweep = setTimeout(
			() =>
				setImmediate(() => {
					for (const [socket, requests] of inProgress) if (requests === 0 && socket.readableLength === 0) closeConnection(socket)
				}),
			1_000,
		)
		sweep.unref()
	}
}
