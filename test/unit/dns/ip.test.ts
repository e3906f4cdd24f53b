import {describe, expect, it} from 'vitest'
import {ipFromArpa, ipFromHex, ipHex, parseIp} from '../../../src/agent/dns/ip.js'

const arr = (b: Uint8Array | undefined) => (b ? Array.from(b) : undefined)

describe('parseIp', () => {
  it('parses IPv4', () => {
    expect(arr(parseIp('10.0.0.1'))).toEqual([10, 0, 0, 1])
    expect(arr(parseIp('255.255.255.255'))).toEqual([255, 255, 255, 255])
  })
  it('parses IPv6 forms', () => {
    expect(arr(parseIp('::1'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(arr(parseIp('::'))).toEqual(new Array(16).fill(0))
    expect(arr(parseIp('2001:db8::'))).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)])
    expect(arr(parseIp('2001:DB8:0:0:0:0:0:1'))).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(arr(parseIp('64:ff9b::192.0.2.33'))).toEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33])
  })
  it('treats IPv4-mapped IPv6 as IPv4, like Go', () => {
    expect(arr(parseIp('::ffff:10.1.2.3'))).toEqual([10, 1, 2, 3])
  })
  it('rejects non-addresses', () => {
    for (const s of ['', 'host.example', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1::2::3', ':::', '12345::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '::g']) {
      expect(parseIp(s), s).toBeUndefined()
    }
  })
})

describe('hex and arpa forms', () => {
  it('round-trips the .addr. hex form', () => {
    expect(ipHex(new Uint8Array([192, 0, 2, 10]))).toBe('c000020a')
    expect(arr(ipFromHex('C000020A'))).toEqual([192, 0, 2, 10])
    expect(ipFromHex('c000020')).toBeUndefined()
  })
  it('reads reverse names', () => {
    expect(arr(ipFromArpa('4.3.2.1.in-addr.arpa'.split('.')))).toEqual([1, 2, 3, 4])
    expect(ipFromArpa('3.2.1.in-addr.arpa'.split('.'))).toBeUndefined()
    expect(ipFromArpa('x.3.2.1.in-addr.arpa'.split('.'))).toBeUndefined()
    expect(ipFromArpa('foo.arpa'.split('.'))).toBeUndefined()
  })
})
