/**
 * CPU time per part of the machine, from /proc (Linux): the app (a process and its direct children,
 * the cluster's workers), its PostgreSQL backends (by pid, from pg_stat_activity) and this process
 * (the load generator). CPU time per request changes far less with other load on the machine than
 * latency does, so the benchmarks report it beside their latencies.
 */
import { readdirSync, readFileSync } from 'node:fs'

const MS_PER_TICK = 1000 / 100 // USER_HZ

/** utime + stime of one process, in clock ticks; 0 once it is gone. */
function ticks(pid: number): number {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
		return Number(fields[11]) + Number(fields[12])
	} catch {
		return 0
	}
}

/** The process and its direct children (the workers of a cluster). */
function tree(root: number): number[] {
	const pids = [root]
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue
		try {
			if (Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === root) pids.push(Number(entry))
		} catch {
			// gone meanwhile
		}
	}
	return pids
}

export type CpuSplit = { appMs: number; dbMs: number; generatorMs: number }

/**
 * Starts counting; `stop()` returns the CPU milliseconds each part used since. `backends` are the
 * PostgreSQL backend pids to count (those open when counting starts: the app's pools stay open).
 */
export function startCpuCount(appRoot: number, backends: number[]) {
	const appPids = tree(appRoot)
	const sum = (pids: number[]) => pids.reduce((n, p) => n + ticks(p), 0)
	const app0 = sum(appPids)
	const db0 = sum(backends)
	const self0 = process.cpuUsage()
	return {
		stop(): CpuSplit {
			const self = process.cpuUsage(self0)
			return {
				appMs: (sum(appPids) - app0) * MS_PER_TICK,
				dbMs: (sum(backends) - db0) * MS_PER_TICK,
				generatorMs: (self.user + self.system) / 1000,
			}
		},
	}
}

/** A split divided by a number of requests, rounded to 0.01 ms. */
export function perRequest(split: CpuSplit, requests: number): CpuSplit {
	const each = (ms: number) => Math.round((ms * 100) / Math.max(1, requests)) / 100
	return { appMs: each(split.appMs), dbMs: each(split.dbMs), generatorMs: each(split.generatorMs) }
}
