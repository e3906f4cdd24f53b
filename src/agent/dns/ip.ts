/**
 * IP literal helpers for the DNS answer builder (pure; no node:net so the core
 * stays socket-free). Semantics follow Go's net.ParseIP + To4: an IPv4-mapped
 * IPv6 address counts as IPv4, which is how Consul picks A versus AAAA.
 */

/** 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 bytes for IPv6, undefined when not an IP literal. */
export function parseIp(s: string): Uint8Array | undefined {
  if (s.length === 0 || s.length > 45) return undefined
  if (s.includes(':')) {
    const v6 = parseIpv6(s)
    if (!v6) return undefined
    return isV4Mapped(v6) ? v6.slice(12) : v6
  }
  return parseIpv4(s)
}

function parseIpv4(s: string): Uint8Array | undefined {
  // Hand-rolled: this runs for every instance when answers are (re)built.
  const out = new Uint8Array(4)
  let part = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 46 : s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined
      out[part++] = value
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      // Go rejects leading zeros ("01") since 1.17; so do we.
      if (digits === 1 && value === 0) return undefined
      value = value * 10 + (c - 48)
      if (value > 255) return undefined
      digits++
    } else {
      return undefined
    }
  }
  return part === 4 ? out : undefined
}

function parseIpv6(s: string): Uint8Array | undefined {
  let str = s
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hex groups first.
  const lastColon = str.lastIndexOf(':')
  const tailPart = str.slice(lastColon + 1)
  if (tailPart.includes('.')) {
    const v4 = parseIpv4(tailPart)
    if (!v4) return undefined
    str = str.slice(0, lastColon + 1) + ((v4[0] << 8) | v4[1]).toString(16) + ':' + ((v4[2] << 8) | v4[3]).toString(16)
  }
  const halves = str.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const head = groupsOf(halves[0])
  const tail = halves.length === 2 ? groupsOf(halves[1]) : []
  if (!head || !tail) return undefined
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return undefined
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    out[i * 2] = groups[i] >> 8
    out[i * 2 + 1] = groups[i] & 0xff
  }
  return out
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false
  return b[10] === 0xff && b[11] === 0xff
}

export function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lower-case hex of the address bytes, as Consul's `<hex>.addr.<dc>.<domain>` names use. */
export function ipHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** Decode the hex label of an `.addr.` name: 8 hex chars → IPv4, 32 → IPv6. */
export function ipFromHex(label: string): Uint8Array | undefined {
  if (label.length !== 8 && label.length !== 32) return undefined
  if (!/^[0-9a-f]+$/i.test(label)) return undefined
  const out = new Uint8Array(label.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(label.slice(i * 2, i * 2 + 2), 16)
  return out
}

/**
 * The address a reverse name stands for: `d.c.b.a.in-addr.arpa` (exactly four
 * octets) or 32 nibbles under `ip6.arpa`. Labels are lower-case, without the root.
 */
export function ipFromArpa(labels: string[]): Uint8Array | undefined {
  const n = labels.length
  if (n >= 2 && labels[n - 1] === 'arpa' && labels[n - 2] === 'in-addr') {
    if (n !== 6) return undefined
    return parseIpv4(labels.slice(0, 4).reverse().join('.'))
  }
  if (n >= 2 && labels[n - 1] === 'arpa' && labels[n - 2] === 'ip6') {
    if (n !== 34) return undefined
    const nibbles = labels.slice(0, 32).reverse()
    if (!nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined
    const out = new Uint8Array(16)
    for (let i = 0; i < 16; i++) out[i] = parseInt(nibbles[i * 2] + nibbles[i * 2 + 1], 16)
    return isV4Mapped(out) ? out.slice(12) : out
  }
  return undefined
}
