import {describe, expect, it} from 'vitest'
import {bool, bytes, decode, decodeSequence, encode, encodeTyped, list, map, ShortRead, str, uint, WireError} from '../../../src/agent/gossip/codec.js'

describe('gossip codec (go-msgpack conventions)', () => {
  it('encodes a struct as a map keyed by field name and decodes it back, strings as raw bytes', () => {
    const buf = encode({SeqNo: 7, Node: 'n1', Payload: Uint8Array.of(1, 2, 3), Skip: undefined})
    const m = decode(buf)
    expect(Object.keys(m).sort()).toEqual(['Node', 'Payload', 'SeqNo'])
    expect(uint(m.SeqNo)).toBe(7)
    // rawStrings: Go writes string and []byte alike, so text arrives as bytes and the reader picks.
    expect(m.Node).toBeInstanceOf(Uint8Array)
    expect(str(m.Node)).toBe('n1')
    expect(bytes(m.Payload)).toEqual(Uint8Array.of(1, 2, 3))
  })

  it('prefixes the type byte', () => {
    const t = encodeTyped(4, {A: 1})
    expect(t[0]).toBe(4)
    expect(uint(decode(t.subarray(1)).A)).toBe(1)
  })

  it('refuses garbage and non-maps with WireError', () => {
    expect(() => decode(Uint8Array.of(0xc1))).toThrow(WireError)
    expect(() => decode(encode([1, 2]))).toThrow(/map/)
    expect(() => decode(encode('x'))).toThrow(WireError)
  })

  it('reads consecutive values and says ShortRead while a value is incomplete', () => {
    const a = encode({X: 1})
    const b = encode({Y: 'hello world'})
    const all = new Uint8Array([...a, ...b])
    const {values, end} = decodeSequence(all, 2)
    expect(end).toBe(all.length)
    expect(uint(map(values[0]).X)).toBe(1)
    expect(str(map(values[1]).Y)).toBe('hello world')
    const first = decodeSequence(all, 1)
    expect(first.end).toBe(a.length)
    expect(decodeSequence(all, 1, first.end).end).toBe(all.length)
    // Every strict prefix of the second value is "wait for more", not an error.
    for (let cut = a.length; cut < all.length; cut++) expect(() => decodeSequence(all.subarray(0, cut), 2)).toThrow(ShortRead)
    expect(() => decodeSequence(Uint8Array.of(0xc1), 1)).toThrow(WireError)
  })

  it('field readers convert what Go may send and refuse the wrong kinds', () => {
    expect(str(undefined)).toBe('')
    expect(str('plain')).toBe('plain')
    expect(() => str(5)).toThrow(WireError)
    expect(bytes('ab')).toEqual(Uint8Array.of(97, 98))
    expect(bytes([1, 2])).toEqual(Uint8Array.of(1, 2))
    expect(bytes(null)).toEqual(new Uint8Array(0))
    expect(() => bytes({})).toThrow(WireError)
    expect(uint(undefined)).toBe(0)
    expect(uint(BigInt(2) ** BigInt(40))).toBe(2 ** 40)
    expect(() => uint(-1)).toThrow(WireError)
    expect(() => uint(1.5)).toThrow(WireError)
    expect(bool(undefined)).toBe(false)
    expect(bool(true)).toBe(true)
    expect(() => bool(1)).toThrow(WireError)
    expect(map(undefined)).toEqual({})
    expect(() => map([1])).toThrow(WireError)
    expect(list(null)).toEqual([])
    expect(() => list({})).toThrow(WireError)
  })
})
