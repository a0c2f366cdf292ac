import cluster, { type Worker } from 'node:cluster'
import { type Server } from 'node:http'
import net, { type Socket } from 'node:net'
import { type Env } from '../utils/env.server.ts'

/** The environment variable that marks the worker that migrates, seeds and runs the scheduler (a replacement inherits the role). */
export const JOBS_ROLE = 'RT_WORKER_JOBS'

/**
 * The cluster primary, with WEB_CONCURRENCY above 1: it only supervises. It owns the port, as a
 * single process would: it accepts each connection (without reading it) and hands it to the next
 * worker over IPC. A stop then behaves as in one process: the port closes at once (new
 * connections are refused) and every connection already accepted has been handed over before the
 * workers are told, on the same ordered channel, to drain. (node:cluster's own port sharing leaves
 * a window in which accepted connections are reset: its round-robin queue, or the shared socket's
 * backlog once the first worker has stopped; decision 019.) The first worker migrates and runs the
 * scheduler; the others start once it is ready. A worker that dies is replaced; one that fails at
 * start-up stops the whole.
 */
export function supervise(count: number, env: Env) {
	let stopping = false
	let failed = false
	let turn = 0
	const ready: Worker[] = []
	const jobsWorker = new Set<Worker>()
	const workerCount = () => Object.keys(cluster.workers ?? {}).length
	const fork = (jobs: boolean) => {
		const worker = cluster.fork({ [JOBS_ROLE]: jobs ? '1' : '0' })
		if (jobs) jobsWorker.add(worker)
		return worker
	}
	const balancer = net.createServer({ pauseOnConnect: true }, (socket) => {
		const worker = ready.length ? ready[turn++ % ready.length] : undefined
		if (!worker) return socket.destroy()
		worker.send('connection', socket, (error: Error | null) => error && socket.destroy())
	})
	balancer.on('error', (error) => {
		console.error(`Cannot listen on ${env.HOST}:${env.PORT}: ${error.message}`)
		failed = true
		stop('error')
	})
	// Ready workers drain (after every connection handed to them); one still starting has none: it just stops.
	const stopAll = () => {
		for (const worker of Object.values(cluster.workers ?? {})) {
			if (!worker) continue
			if (ready.includes(worker) && worker.isConnected()) worker.send('stop')
			else worker.process.kill('SIGTERM')
		}
	}
	cluster.on('message', (worker, message) => {
		if (message !== 'ready') return
		if (stopping) return void worker.send('stop')
		ready.push(worker)
		if (ready.length > 1 || balancer.listening) return
		// The others start once the first has migrated the database: no two migrate or seed at once.
		balancer.listen(env.PORT, env.HOST, () => {
			const address = balancer.address()
			const port = typeof address === 'object' && address ? address.port : env.PORT
			console.log(`Roundtable is listening on ${env.APP_URL ?? `http://localhost:${port}`} (${count} processes)`)
			for (let i = 1; i < count; i++) fork(false)
		})
	})
	cluster.on('exit', (worker, code, signal) => {
		const wasReady = ready.includes(worker)
		if (wasReady) ready.splice(ready.indexOf(worker), 1)
		const hadJobs = jobsWorker.delete(worker)
		if (!stopping) {
			console.error(`worker ${worker.process.pid} exited (${signal ?? code})${wasReady ? ', starting another' : ' before it was ready: stopping'}`)
			// A worker that fails at start-up would fail again (environment, database): give up.
			if (wasReady) fork(hadJobs)
			else {
				failed = true
				stop('error')
			}
		}
		if (stopping && wasReady && (code !== 0 || signal)) failed = true
		if (stopping && workerCount() === 0) process.exit(failed ? 1 : 0)
	})
	function stop(signal: string) {
		if (stopping) return
		stopping = true
		if (signal !== 'error') console.log(`${signal} received: finishing in-flight requests in ${workerCount()} workers`)
		if (balancer.listening) balancer.close()
		stopAll()
		// Workers give up after their own 15 s; this is for one that cannot.
		setTimeout(() => {
			for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
			process.exit(1)
		}, 20_000).unref()
		if (workerCount() === 0) process.exit(failed ? 1 : 0)
	}
	process.on('SIGTERM', () => stop('SIGTERM'))
	process.on('SIGINT', () => stop('SIGINT'))
	fork(true)
}

/**
 * A cluster worker's side: its connections come from the primary, unread (see supervise), and
 * the primary's 'stop' starts its drain. Tells the primary it is ready.
 */
export function serveFromPrimary(server: Server, { stop }: { stop: (signal: string) => void }) {
	process.on('message', (message: unknown, socket?: Socket) => {
		if (message === 'stop') stop('SIGTERM')
		else if (message === 'connection' && socket) {
			// What http.Server does for the connections it accepts itself: without it Nagle's
			// algorithm holds a response's last small write until the client's delayed ACK
			// (~40 ms), which halved the throughput of two workers against one process.
			socket.setNoDelay(true)
			server.emit('connection', socket)
			socket.resume()
		}
	})
	process.send!('ready')
}
