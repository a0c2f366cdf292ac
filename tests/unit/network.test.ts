import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isIpLiteral, isPublicAddress, parseIPv4, parseIPv6 } from '#app/domain/network.ts'

const refused = (list: string[]) => list.filter((ip) => isPublicAddress(ip))
const allowed = (list: string[]) => list.filter((ip) => !isPublicAddress(ip))

describe('IPv4', () => {
	test('every special-purpose range is refused at its first, a middle and its last address', () => {
		const ranges: Array<[string, string, string]> = [
			['0.0.0.0', '0.1.2.3', '0.255.255.255'],
			['10.0.0.0', '10.0.0.5', '10.255.255.255'],
			['100.64.0.0', '100.100.100.100', '100.127.255.255'],
			['127.0.0.0', '127.0.0.1', '127.255.255.255'],
			['169.254.0.0', '169.254.169.254', '169.254.255.255'],
			['172.16.0.0', '172.20.1.1', '172.31.255.255'],
			['192.0.0.0', '192.0.0.8', '192.0.0.255'],
			['192.0.2.0', '192.0.2.1', '192.0.2.255'],
			['192.88.99.0', '192.88.99.1', '192.88.99.255'],
			['192.168.0.0', '192.168.1.1', '192.168.255.255'],
			['198.18.0.0', '198.19.0.1', '198.19.255.255'],
			['198.51.100.0', '198.51.100.7', '198.51.100.255'],
			['203.0.113.0', '203.0.113.9', '203.0.113.255'],
			['224.0.0.0', '239.1.2.3', '239.255.255.255'],
			['240.0.0.0', '250.1.2.3', '255.255.255.254'],
		]
		expect(refused(ranges.flat())).toEqual([])
		expect(isPublicAddress('255.255.255.255')).toBe(false)
	})

	test('the addresses just outside each range, and ordinary public ones, are public', () => {
		const outside = [
			'1.0.0.0',
			'9.255.255.255',
			'11.0.0.0',
			'100.63.255.255',
			'100.128.0.0',
			'126.255.255.255',
			'128.0.0.0',
			'169.253.255.255',
			'169.255.0.0',
			'172.15.255.255',
			'172.32.0.0',
			'191.255.255.255',
			'192.0.1.0',
			'192.0.3.0',
			'192.88.98.255',
			'192.88.100.0',
			'192.167.255.255',
			'192.169.0.0',
			'198.17.255.255',
			'198.20.0.0',
			'198.51.99.255',
			'198.51.101.0',
			'203.0.112.255',
			'203.0.114.0',
			'223.255.255.255',
			'8.8.8.8',
			'1.1.1.1',
			'93.184.216.34',
			'140.82.112.3',
		]
		expect(allowed(outside)).toEqual([])
	})

	test('only strict dotted quads parse; shorthands, octal-looking and out-of-range parts do not (and so are not public)', () => {
		expect(parseIPv4('127.0.0.1')).toBe(0x7f000001)
		expect(parseIPv4('255.255.255.255')).toBe(0xffffffff)
		for (const odd of [
			'127.1',
			'2130706433',
			'0x7f.0.0.1',
			'0177.0.0.1',
			'010.0.0.1',
			'127.0.0.01',
			'256.0.0.1',
			'1.2.3.4.5',
			'1.2.3',
			'1..2.3',
			' 1.2.3.4',
			'1.2.3.4 ',
			'+1.2.3.4',
			'1.2.3.-4',
			'',
			'example.org',
			'1.2.3.4%eth0',
		]) {
			expect(parseIPv4(odd), odd).toBeNull()
			expect(isPublicAddress(odd), odd).toBe(false)
		}
	})
})

describe('IPv6', () => {
	test('unspecified, loopback, unique-local, link-local, site-local, multicast and documentation are refused', () => {
		expect(
			refused([
				'::',
				'::1',
				'0:0:0:0:0:0:0:1',
				'0000:0000:0000:0000:0000:0000:0000:0001',
				'fc00::',
				'fc00::1',
				'fd12:3456:789a::1',
				'FDFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF',
				'fe80::',
				'fe80::1',
				'FE80::1%eth0',
				'fe80::1%25en0',
				'febf:ffff::1',
				'fec0::1',
				'feff::1',
				'ff00::',
				'ff02::1',
				'ff05::1:3',
				'FF0E::1',
				'2001:db8::',
				'2001:db8::1',
				'2001:DB8:FFFF:FFFF::1',
				'3fff::1',
				'3fff:fff:ffff::1',
				'100::',
				'100::1',
				'64:ff9b:1::1',
				'2001::1',
				'2001:0:4136:e378:8000:63bf:3fff:fdd2',
				'2001:2::1',
				'2001:10::1',
				'2001:1ff::1',
				'5f00::1',
				'4000::1',
				'e000::1',
				'1::1',
				'::2:3:4',
			]),
		).toEqual([])
	})

	test('global unicast addresses are public, including next to the refused blocks', () => {
		expect(
			allowed([
				'2606:4700:4700::1111',
				'2001:4860:4860::8888',
				'2a00:1450:4001:82b::200e',
				'2001:200::1',
				'2001:db7:ffff::1',
				'2001:db9::1',
				'3ffe:ffff::1',
				'3fff:1000::1',
				'2000::1',
				'3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
				'2A00:1450::1',
			]),
		).toEqual([])
	})

	test('IPv4-mapped, -compatible and -translated forms are judged by their IPv4 address, however spelt', () => {
		const loopbackSpellings = [
			'::ffff:127.0.0.1',
			'::ffff:7f00:1',
			'::FFFF:7F00:0001',
			'0:0:0:0:0:ffff:127.0.0.1',
			'0:0:0:0:0:ffff:7f00:1',
			'0000:0000:0000:0000:0000:ffff:7f00:0001',
			'::ffff:0:127.0.0.1',
			'::ffff:0:7f00:1',
			'::127.0.0.1',
			'::7f00:1',
			'[::ffff:127.0.0.1]',
			'::ffff:7f00:1%lo',
		]
		expect(refused(loopbackSpellings)).toEqual([])
		expect(
			refused(['::ffff:10.0.0.5', '::ffff:a00:5', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:192.168.0.1', '::ffff:c0a8:1', '::ffff:0.0.0.0', '::ffff:ffff:ffff', '::ffff:100.64.0.1']),
		).toEqual([])
		expect(allowed(['::ffff:8.8.8.8', '::ffff:808:808', '::FFFF:5DB8:D822', '::8.8.8.8', '::ffff:0:8.8.8.8'])).toEqual([])
	})

	test('NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are judged by the IPv4 address inside', () => {
		expect(refused(['64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::10.0.0.5', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2002:a00:5::1', '2002:c0a8:101::1', '2002:a9fe:a9fe::'])).toEqual([])
		expect(allowed(['64:ff9b::8.8.8.8', '64:FF9B::808:808', '2002:808:808::1'])).toEqual([])
	})

	test('the parser reads every spelling Node reads, and refuses malformed ones', () => {
		expect(parseIPv6('::ffff:7f00:1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])
		expect(parseIPv6('0:0:0:0:0:ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])
		expect(parseIPv6('2001:DB8::A:b')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0xa, 0xb])
		expect(parseIPv6('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0])
		expect(parseIPv6('::2:3:4:5:6:7:8')).toEqual([0, 2, 3, 4, 5, 6, 7, 8])
		expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1])
		const malformed = [
			'',
			':',
			':::',
			'1:2:3:4:5:6:7:8:9',
			'1:2:3:4:5:6:7',
			'1::2::3',
			':1:2:3:4:5:6:7',
			'1:2:3:4:5:6:7:',
			'1:2:3:4:5:6:7:8::',
			'12345::',
			'g::1',
			'::ffff:127.0.0.256',
			'::ffff:127.0.0',
			'::127.0.0.1:1',
			'1.2.3.4::',
			'fe80::1%',
			'[::1',
			'::1]',
			'::ffff:0127.0.0.1',
			'1:2:3:4:5:6:1.2.3.4:8',
		]
		for (const bad of malformed) {
			expect(parseIPv6(bad), bad).toBeNull()
			expect(isPublicAddress(bad), bad).toBe(false)
		}
	})

	test('agrees with node:net on which strings are IPv6 addresses', () => {
		const samples = [
			'::',
			'::1',
			'1::',
			'::ffff:1.2.3.4',
			'1:2:3:4:5:6:7:8',
			'1:2:3:4:5:6:1.2.3.4',
			'1::2:3',
			'2001:db8::1',
			'fe80::1%eth0',
			'1:2:3:4:5:6:7:8:9',
			'1::2::3',
			'12345::',
			'::1.2.3',
			'g::',
			':1::',
			'1:::2',
		]
		for (const s of samples) expect(parseIPv6(s) !== null, s).toBe(isIP(s) === 6)
	})
})

describe('properties (fast-check)', () => {
	const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'))
	const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })

	test('an IPv4 address is judged the same in every IPv6 form that carries it', () => {
		fc.assert(
			fc.property(v4, (ip) => {
				const hex = new URL(`http://[::ffff:${ip}]/`).hostname.slice(1, -1) // Node's spelling: ::ffff:7f00:1
				const forms = [`::ffff:${ip}`, hex, hex.toUpperCase(), `0:0:0:0:0:ffff:${ip}`, `::ffff:0:${ip}`, `::${ip}`, `64:ff9b::${ip}`, `[::ffff:${ip}]`, `${hex}%eth0`]
				return forms.every((f) => isPublicAddress(f) === isPublicAddress(ip))
			}),
			{ numRuns: 2000 },
		)
	})

	test('any IPv6 address reads back the same from its compressed, full, upper-case and bracketed spellings', () => {
		fc.assert(
			fc.property(groups, (g) => {
				const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':')
				const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1)
				return [full, compressed, full.toUpperCase(), `[${compressed}]`, `${compressed}%1`].every((s) => JSON.stringify(parseIPv6(s)) === JSON.stringify(g))
			}),
			{ numRuns: 2000 },
		)
	})

	test('nothing outside 2000::/3 is public unless it carries a public IPv4 address', () => {
		fc.assert(
			fc.property(groups, (g) => {
				const ip = g.map((x) => x.toString(16)).join(':')
				const carriesV4 =
					(g.slice(0, 5).every((x) => x === 0) && (g[5] === 0 || g[5] === 0xffff)) ||
					(g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) ||
					(g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
				return carriesV4 || (g[0]! & 0xe000) === 0x2000 || !isPublicAddress(ip)
			}),
			{ numRuns: 2000 },
		)
	})
})

describe('hostnames', () => {
	test('names are not addresses: never public by themselves (delivery resolves them)', () => {
		expect(refused(['localhost', 'example.org', 'metadata.google.internal', '0x7f000001', '[::1'])).toEqual([])
	})

	test('isIpLiteral tells URL hostnames that are addresses from names', () => {
		for (const url of ['https://10.0.0.5/', 'https://0x7f.1/', 'https://2130706433/', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://[2001:db8::1]:8443/']) {
			expect(isIpLiteral(new URL(url).hostname), url).toBe(true)
		}
		for (const url of ['https://example.org/', 'https://localhost/', 'https://10.0.0.5.nip.io/', 'https://1.2.3.4.example/']) {
			expect(isIpLiteral(new URL(url).hostname), url).toBe(false)
		}
		// The URL parser has already turned shorthand IPv4 into a dotted quad, so it is judged as one.
		expect(isPublicAddress(new URL('https://0x7f.1/').hostname)).toBe(false)
		expect(isPublicAddress(new URL('https://2130706433/').hostname)).toBe(false)
		expect(isPublicAddress(new URL('https://[::ffff:127.0.0.1]/').hostname)).toBe(false)
	})
})
