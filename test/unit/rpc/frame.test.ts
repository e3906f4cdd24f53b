import {describe, expect, it} from 'vitest'
import {createCodec} from '../../../src/agent/rpc/codec.js'
import {FrameError, FrameReader} from '../../../src/agent/rpc/frame.js'

const codec = createCodec(1 << 20)

function frames(r: FrameReader): Buffer[] {
  const out: Buffer[] = []
  for (let f = r.next(); f; f = r.next()) out.push(f)
  return out
}

describe('FrameReader', () => {
  const stream = Buffer.concat([
    codec.encodeRequest(1, 'A', 'x'.repeat(300)),
    codec.encodeRequest(2, 'B', new Uint8Array([1, 2, 3])),
    codec.encodeResponse(3, {Error: 'no', Code: 'c'}, null),
  ])

  it('yields the same frames however the stream is split into reads', () => {
    for (const size of [1, 2, 3, 5, 7, 64, stream.length]) {
      const r = new FrameReader(1 << 20)
      const got: Buffer[] = []
      for (let i = 0; i < stream.length; i += size) {
        r.push(stream.subarray(i, i + size))
        got.push(...frames(r))
      }
      expect(got.map((f) => codec.decode(f))).toStrictEqual([
        {kind: 'request', seq: 1, method: 'A', body: 'x'.repeat(300)},
        {kind: 'request', seq: 2, method: 'B', body: new Uint8Array([1, 2, 3])},
        {kind: 'response', seq: 3, error: {Error: 'no', Code: 'c'}, body: null},
      ])
      expect(r.buffered).toBe(0)
    }
  })

  it('refuses an oversized frame from its length alone, even with the header split across reads', () => {
    const r = new FrameReader(100)
    r.push(Buffer.of(0, 0))
    expect(r.next()).toBeUndefined()
    r.push(Buffer.of(0, 101))
    expect(() => r.next()).toThrow(FrameError)
  })

  it('accepts a frame of exactly the limit', () => {
    const r = new FrameReader(3)
    r.push(Buffer.of(0, 0, 0, 3, 9, 8, 7))
    expect([...r.next()!]).toStrictEqual([9, 8, 7])
  })
})
