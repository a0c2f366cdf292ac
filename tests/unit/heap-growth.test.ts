import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/** The largest heap of tests/fixtures/heap-churn.ts, in a process of its own. */
function peakHeap(...args: string[]): number {
	const output = execFileSync(process.execPath, [...args.filter((a) => a.startsWith('--')), '--import', 'tsx', 'tests/fixtures/heap-churn.ts', ...args.filter((a) => !a.startsWith('--'))], {
		encoding: 'utf8',
	})
	return (JSON.parse(output.trim().split('\n').pop()!) as { peakHeapBytes: number }).peakHeapBytes
}

describe('the server caps V8 heap growth (decision 054)', () => {
	it('a process that holds little and churns promoted garbage peaks far lower with the cap, and a flag given on the command line is kept', () => {
		const free = peakHeap()
		const capped = peakHeap('cap')
		// Measured: about 0.62 × the peak without the cap; 0.8 leaves room for the collector's timing.
		expect(capped, `capped ${capped} bytes against ${free} without`).toBeLessThan(free * 0.8)
		// An operator's own flag wins over the cap: a factor of 4 behaves like no cap.
		const operator = peakHeap('--heap-growing-percent=300', 'cap')
		expect(operator, `with the operator's flag ${operator} bytes, capped ${capped}`).toBeGreaterThan(capped * 1.25)
	})
})
