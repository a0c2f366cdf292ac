/**
 * Which IP addresses a server-side request (a webhook delivery) may connect to. Pure: no DNS, no
 * node:net — the webhook form runs this in the browser on IP literals, and delivery runs it on
 * every address a name resolves to (app/jobs/webhook-delivery.server.ts).
 *
 * IPv4 is refused in the ranges below; IPv6 is allowed only in global unicast (2000::/3) minus
 * its special blocks, and the forms that carry an IPv4 address (mapped, compatible, translated,
 * NAT64, 6to4) are judged by that address. Anything that does not parse is not public.
 */

/** 32-bit value of a dotted-quad IPv4 address, strictly: four decimal parts 0–255, no leading zeros. */
export function parseIPv4(text: string): number | null {
	const parts = text.split('.')
	if (parts.length !== 4) return null
	let value = 0
	for (const part of parts) {
		// A leading zero reads as octal to some resolvers (010 = 8): ambiguous, so refused.
		if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null
		const n = Number(part)
		if (n > 255) return null
		value = value * 256 + n
	}
	return value
}

/**
 * The eight 16-bit groups of an IPv6 address. Accepts `[…]` brackets, a zone id (`%eth0`, ignored:
 * it names an interface, not an address), any case, `::` once, and a dotted IPv4 tail.
 */
export function parseIPv6(text: string): number[] | null {
	let s = text
	if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
	const zone = s.indexOf('%')
	if (zone !== -1) {
		if (zone === s.length - 1) return null
		s = s.slice(0, zone)
	}
	if (!s.includes(':')) return null
	const halves = s.split('::')
	if (halves.length > 2) return null
	const groupsOf = (part: string): number[] | null => {
		if (part === '') return []
		const out: number[] = []
		const items = part.split(':')
		for (let i = 0; i < items.length; i++) {
			const item = items[i]!
			if (i === items.length - 1 && item.includes('.')) {
				const v4 = parseIPv4(item)
				if (v4 === null) return null
				out.push(Math.floor(v4 / 65536), v4 % 65536)
			} else if (/^[0-9a-f]{1,4}$/i.test(item)) out.push(parseInt(item, 16))
			else return null
		}
		return out
	}
	const head = groupsOf(halves[0]!)
	const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
	if (!head || !tail) return null
	// A dotted IPv4 part may only end the address.
	if (halves.length === 2 && halves[0]!.includes('.')) return null
	if (halves.length === 1) return head.length === 8 ? head : null
	const missing = 8 - head.length - tail.length
	// `::` stands for at least one group of zeros.
	if (missing < 1) return null
	return [...head, ...Array<number>(missing).fill(0), ...tail]
}

type Cidr4 = readonly [base: string, bits: number]

// Not globally reachable, or not meant to be a destination (RFC 6890 and the IANA special-purpose registry).
const NON_PUBLIC_V4: readonly Cidr4[] = [
	['0.0.0.0', 8], // "this network"
	['10.0.0.0', 8], // private
	['100.64.0.0', 10], // carrier-grade NAT
	['127.0.0.0', 8], // loopback
	['169.254.0.0', 16], // link-local, including the cloud metadata address 169.254.169.254
	['172.16.0.0', 12], // private
	['192.0.0.0', 24], // IETF protocol assignments
	['192.0.2.0', 24], // documentation (TEST-NET-1)
	['192.88.99.0', 24], // deprecated 6to4 relay anycast
	['192.168.0.0', 16], // private
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24], // documentation (TEST-NET-2)
	['203.0.113.0', 24], // documentation (TEST-NET-3)
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
]

const V4_RANGES = NON_PUBLIC_V4.map(([base, bits]) => {
	const size = 2 ** (32 - bits)
	const start = parseIPv4(base)!
	return { start, end: start + size - 1 }
})

function isPublicV4(value: number): boolean {
	return !V4_RANGES.some((r) => value >= r.start && value <= r.end)
}

const v4Of = (high: number, low: number) => high * 65536 + low

function isPublicV6(g: number[]): boolean {
	const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
	// ::a.b.c.d (IPv4-compatible, deprecated; includes :: and ::1), ::ffff:a.b.c.d (IPv4-mapped),
	// ::ffff:0:a.b.c.d (IPv4-translated): a socket may reach the IPv4 address itself.
	if (zeros(0, 5) && (g[5] === 0 || g[5] === 0xffff)) return isPublicV4(v4Of(g[6]!, g[7]!))
	if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return isPublicV4(v4Of(g[6]!, g[7]!))
	// 64:ff9b::/96, NAT64 well-known prefix: the gateway connects to the embedded IPv4 address.
	if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return isPublicV4(v4Of(g[6]!, g[7]!))
	// 2002::/16, 6to4: the packets go to the IPv4 address in groups 1–2.
	if (g[0] === 0x2002) return isPublicV4(v4Of(g[1]!, g[2]!))
	// Everything outside global unicast 2000::/3: ::/8 rest, 64:ff9b:1::/48, 100::/64 discard,
	// fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast…
	if ((g[0]! & 0xe000) !== 0x2000) return false
	// 2001::/23 IETF protocol assignments (Teredo 2001::/32 carries an obfuscated IPv4 address, benchmarking, ORCHID).
	if (g[0] === 0x2001 && g[1]! < 0x200) return false
	// 2001:db8::/32 and 3fff::/20, documentation.
	if (g[0] === 0x2001 && g[1] === 0xdb8) return false
	if (g[0] === 0x3fff && g[1]! < 0x1000) return false
	return true
}

/**
 * True when `ip` (an IPv4 or IPv6 address, as DNS returns it or as written in a URL) may be the
 * target of a server-side request; false for loopback, private, link-local, carrier-grade NAT,
 * documentation, benchmarking, multicast and reserved addresses, and for anything that is not an
 * IP address at all.
 */
export function isPublicAddress(ip: string): boolean {
	const v4 = parseIPv4(ip)
	if (v4 !== null) return isPublicV4(v4)
	const v6 = parseIPv6(ip)
	if (v6 !== null) return isPublicV6(v6)
	return false
}

/** Whether a URL's hostname is an IP address literal (`192.0.2.1`, `[2001:db8::1]`) rather than a name. */
export function isIpLiteral(hostname: string): boolean {
	return parseIPv4(hostname) !== null || (hostname.startsWith('[') && parseIPv6(hostname) !== null)
}
