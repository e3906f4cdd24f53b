import {isIPv4, isIPv6} from 'node:net'
import {WireError} from '../codec.js'

/** Go's net.IP bytes: 4 for IPv4, 16 for IPv6. */
export function ipBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number))
  if (isIPv6(ip)) {
    const [head, tail = ''] = ip.split('::')
    const h = head ? head.split(':') : []
    const t = tail ? tail.split(':') : []
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
    const out = new Uint8Array(16)
    groups.forEach((g, i) => {
      const v = parseInt(g, 16)
      out[i * 2] = v >> 8
      out[i * 2 + 1] = v & 0xff
    })
    return out
  }
  throw new WireError(`not an IP address: ${ip}`)
}

/** Text form of Go's net.IP bytes (a 16-byte v4-mapped address reads as IPv4, as Go prints it). */
export function ipString(b: Uint8Array): string {
  if (b.length === 4) return b.join('.')
  if (b.length === 16) {
    const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff
    if (mapped) return [...b.subarray(12)].join('.')
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16))
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')
  }
  if (b.length === 0) return ''
  throw new WireError(`bad IP length ${b.length}`)
}
