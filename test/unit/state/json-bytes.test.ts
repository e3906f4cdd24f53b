import {describe, expect, it} from 'vitest'
import {decodeJson, encodeJson} from '../../../src/store/state/json-bytes.js'

describe('json-bytes: byte-exact JSON for FSM commands and snapshots', () => {
  it('round-trips byte arrays at any depth, in objects and arrays', () => {
    const v = {type: 'kv', entry: {Key: 'a', Value: new Uint8Array([0, 1, 255])}, list: [new Uint8Array([1]), {b: new Uint8Array([])}, 2, null]}
    const back = decodeJson(encodeJson(v)) as typeof v
    expect(back.entry.Value).toEqual(new Uint8Array([0, 1, 255]))
    expect(back.list[0]).toEqual(new Uint8Array([1]))
    expect((back.list[1] as {b: Uint8Array}).b).toEqual(new Uint8Array([]))
    expect(back.list.slice(2)).toEqual([2, null])
  })

  it('keeps a "__proto__" key an own property, even when its value is bytes', () => {
    const m: Record<string, unknown> = {x: 'y'}
    Object.defineProperty(m, '__proto__', {value: new Uint8Array([7]), enumerable: true, writable: true, configurable: true})
    const back = decodeJson(encodeJson({m})) as {m: Record<string, unknown>}
    expect(Object.getPrototypeOf(back.m)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back.m, '__proto__')?.value).toEqual(new Uint8Array([7]))
    expect(back.m.x).toBe('y')
  })

  it('leaves strings that merely look like the tag alone, and text without bytes as parsed', () => {
    const v = {s: '\\u0000b64', t: '\u0000b64', o: {'\u0000b64': 'AQ==', other: 1}}
    expect(decodeJson(encodeJson(v))).toEqual(v)
    expect(decodeJson('{"a":[1,{"b":"c"}]}')).toEqual({a: [1, {b: 'c'}]})
  })
})
