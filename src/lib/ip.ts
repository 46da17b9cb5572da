// IP address literals as numbers, and which of them belong to the public internet. Hosts are
// judged in the form `new URL()` gives them (canonical dotted-quad IPv4, bracketed compressed
// IPv6), so `http://2130706433/`, `0x7f.1` and `127.1` all arrive here as `127.0.0.1`.

/** The canonical hostname of `http://<host>/`, or undefined when it is not a valid host. */
export function canonicalHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname
  } catch {
    return undefined
  }
}

/** A dotted-quad IPv4 address (four decimal parts, 0–255) as an unsigned 32-bit number. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

/** An IPv6 address (without brackets; `::` and a dotted IPv4 tail allowed) as a 128-bit number. */
export function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return []
    const groups: number[] = []
    const pieces = part.split(':')
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece)
        if (v4 === undefined) return undefined
        groups.push(v4 >>> 16, v4 & 0xffff)
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(parseInt(piece, 16))
      } else {
        return undefined
      }
    }
    return groups
  }
  const head = groupsOf(halves[0] ?? '')
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail]
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n)
}

/** An IP literal as a canonical hostname shows it: `1.2.3.4` or `[::1]`. */
export type IpLiteral = { version: 4; value: number } | { version: 6; value: bigint }

/** The address a hostname spells, if it is an IP literal. */
export function ipLiteral(hostname: string): IpLiteral | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const value = parseIPv6(hostname.slice(1, -1))
    return value === undefined ? undefined : { version: 6, value }
  }
  const value = parseIPv4(hostname)
  return value === undefined ? undefined : { version: 4, value }
}

type Range4 = readonly [base: string, prefix: number]

// IANA special-purpose IPv4 ranges that are not globally reachable (RFC 6890 and successors).
const NON_PUBLIC_V4: readonly Range4[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
]

const V4_RANGES = NON_PUBLIC_V4.map(([base, prefix]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return { network: (parseIPv4(base) ?? 0) & mask, mask }
})

/** Whether an IPv4 address belongs to the public internet. */
export function isPublicIPv4(address: number): boolean {
  return !V4_RANGES.some(({ network, mask }) => (address & mask) >>> 0 === network >>> 0)
}

const bits = (value: bigint, from: number, count: number) =>
  (value >> BigInt(128 - from - count)) & ((1n << BigInt(count)) - 1n)
const has = (value: bigint, prefixText: string, prefix: number) =>
  bits(value, 0, prefix) === bits(parseIPv6(prefixText) ?? 0n, 0, prefix)

/**
 * Whether an IPv6 address belongs to the public internet: global unicast (2000::/3) outside its
 * special ranges. Forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged
 * by that address, so `[::ffff:7f00:1]` is loopback.
 */
export function isPublicIPv6(address: bigint): boolean {
  const embedded = embeddedIPv4(address)
  if (embedded !== undefined) return isPublicIPv4(embedded)
  if (!has(address, '2000::', 3)) return false // ::, ::1, fc00::/7, fe80::/10, ff00::/8, 100::/64 …
  return !(
    has(address, '2001::', 32) || // Teredo (tunnels to an obfuscated IPv4 address)
    has(address, '2001:2::', 48) || // benchmarking
    has(address, '2001:10::', 28) || // ORCHID
    has(address, '2001:20::', 28) || // ORCHIDv2
    has(address, '2001:db8::', 32) || // documentation
    has(address, '3fff::', 20) // documentation
  )
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 address. */
function embeddedIPv4(address: bigint): number | undefined {
  if (has(address, '::ffff:0:0', 96) || has(address, '::', 96) || has(address, '64:ff9b::', 96)) {
    return Number(bits(address, 96, 32))
  }
  if (has(address, '2002::', 16)) return Number(bits(address, 16, 32))
  return undefined
}

/** Whether an IP literal belongs to the public internet. */
export function isPublicIp(ip: IpLiteral): boolean {
  return ip.version === 4 ? isPublicIPv4(ip.value) : isPublicIPv6(ip.value)
}
