import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {WireError} from '../../../src/agent/gossip/codec.js'
import {lzwDecompress} from '../../../src/agent/gossip/memberlist/lzw.js'
import {lzwCompress} from './lzw-writer.js'

const text = (s: string) => new TextEncoder().encode(s)
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)))

describe('LZW (Go compress/lzw, LSB, 8-bit literals)', () => {
  // Vectors from Go's compress/lzw reader_test.go (hand-made streams without the leading clear code).
  it('decodes the Go reader test vectors', () => {
    expect(lzwDecompress(hex('0101'))).toEqual(new Uint8Array(0))
    expect(new TextDecoder().decode(lzwDecompress(hex('549e0829f2448a932754041234b8b0e0c1840101')))).toBe('TOBEORNOTTOBEORTOBEORNOT')
  })

  it('the test encoder writes what Go writes for an empty input (clear, eof)', () => {
    // 256 then 257, 9 bits each, LSB first: 0x00 0x03 0x02.
    expect([...lzwCompress(new Uint8Array(0)).bytes]).toEqual([0x00, 0x03, 0x02])
  })

  it('round-trips short, repetitive and self-referencing (KwKwK) inputs', () => {
    for (const s of ['a', 'ab', 'TOBEORNOTTOBEORTOBEORNOT', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'abababababababababab', 'x'.repeat(5000)]) {
      const raw = text(s)
      expect(lzwDecompress(lzwCompress(raw).bytes), s.slice(0, 20)).toEqual(raw)
    }
  })

  it('round-trips through code-width growth and the 4096-code table reset', () => {
    const rng = seededRandom(42)
    // Random bytes add a table entry for almost every byte, so 20 KB fills the 12-bit table several times.
    const raw = rng.bytes(20_000)
    const {bytes, clears} = lzwCompress(raw)
    expect(clears).toBeGreaterThan(3)
    expect(lzwDecompress(bytes)).toEqual(raw)
    // Text-like input with a small alphabet grows the codes more slowly: still one reset at least.
    const words = Array.from({length: 6000}, () => ['alive', 'suspect', 'dead', 'node', '10.0.0.', String(rng.int(256))][rng.int(6)]).join(' ')
    const c2 = lzwCompress(text(words))
    expect(c2.clears).toBeGreaterThan(1)
    expect(lzwDecompress(c2.bytes)).toEqual(text(words))
  })

  it('rejects truncated data, invalid codes and output past the limit', () => {
    const {bytes} = lzwCompress(text('TOBEORNOTTOBEORTOBEORNOT'))
    expect(() => lzwDecompress(bytes.subarray(0, bytes.length - 3))).toThrow(WireError)
    // After a clear, code 300 has not been defined yet.
    const bad = new Uint8Array(4)
    const bits = 256 | (300 << 9)
    bad[0] = bits & 0xff; bad[1] = (bits >> 8) & 0xff; bad[2] = (bits >> 16) & 0xff
    expect(() => lzwDecompress(bad)).toThrow(/invalid code/)
    expect(() => lzwDecompress(lzwCompress(new Uint8Array(10_000)).bytes, 1_000)).toThrow(/too large/)
  })
})
