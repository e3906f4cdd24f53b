import {describe, expect, it} from 'vitest'

// Plain browser JavaScript (atob/btoa/TextDecoder exist in Node 20 too): load untyped.
const kv: any = await import('../../../src/agent/ui/web/kv-value.js' as string)
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64')

describe('UI KV value display', () => {
  it('pretty-prints JSON, shows text as text and binary as base64', () => {
    expect(kv.describeValue(kv.fromBase64(b64('{"a":[1,2]}')))).toEqual({kind: 'json', text: '{"a":[1,2]}', pretty: '{\n  "a": [\n    1,\n    2\n  ]\n}'})
    expect(kv.describeValue(kv.fromBase64(b64('héllo\nworld')))).toEqual({kind: 'text', text: 'héllo\nworld'})
    expect(kv.describeValue(kv.fromBase64(b64('{not json')))).toEqual({kind: 'text', text: '{not json'})
    const bin = Buffer.from([0, 1, 0xff, 0xfe])
    expect(kv.describeValue(kv.fromBase64(b64(bin)))).toEqual({kind: 'binary', text: b64(bin)})
    expect(kv.describeValue(kv.fromBase64(b64('a\u0001b'))).kind).toBe('binary')
  })

  it('reads a null value as empty', () => {
    expect(kv.fromBase64(null).length).toBe(0)
  })

  it('encodes a draft as UTF-8, or decodes it as base64 and refuses bad base64', () => {
    expect(Buffer.from(kv.encodeDraft('héllo', false))).toEqual(Buffer.from('héllo'))
    expect(Buffer.from(kv.encodeDraft('AAH/\n/g==', true))).toEqual(Buffer.from([0, 1, 0xff, 0xfe]))
    expect(() => kv.encodeDraft('not base64!', true)).toThrow(/base64/)
  })

  it('round-trips large binary values through base64', () => {
    const big = Buffer.alloc(100_000, 7)
    expect(kv.toBase64(kv.fromBase64(big.toString('base64')))).toBe(big.toString('base64'))
  })
})
