import {describe, expect, it} from 'vitest'
import {encode} from '../../../src/agent/gossip/codec.js'
import {
  SerfMsg, decodeFilter, decodeJoin, decodeLeave, decodePushPull, decodeQuery, decodeRelayHeader, decodeTags, decodeUserEvent,
  encodeFilter, encodeJoin, encodeLeave, encodePushPull, encodeQuery, encodeRelay, encodeTags, encodeUserEvent,
} from '../../../src/agent/gossip/serf/messages.js'

const body = (b: Uint8Array) => b.subarray(1)

describe('serf messages (messages.go)', () => {
  it('encodes tags as 0xFF + a msgpack map and decodes them back', () => {
    const tags = {role: 'consul', dc: 'dc1', port: '8300', vsn: '2', id: 'c0ffee'}
    const meta = encodeTags(tags)
    expect(meta[0]).toBe(0xff)
    expect(decodeTags(meta)).toEqual(tags)
    expect(decodeTags(encodeTags({}))).toEqual({})
  })

  it('reads pre-tags meta (protocol < 3) as the role', () => {
    expect(decodeTags(new TextEncoder().encode('web'))).toEqual({role: 'web'})
    expect(decodeTags(new Uint8Array(0))).toEqual({role: ''})
  })

  it('round-trips join, leave and user-event intents', () => {
    expect(encodeJoin({ltime: 3, node: 'a'})[0]).toBe(SerfMsg.join)
    expect(decodeJoin(body(encodeJoin({ltime: 3, node: 'a'})))).toEqual({ltime: 3, node: 'a'})
    expect(decodeLeave(body(encodeLeave({ltime: 9, node: 'b', prune: true})))).toEqual({ltime: 9, node: 'b', prune: true})
    const e = {ltime: 4, name: 'deploy', payload: Uint8Array.of(1, 2), cc: true}
    expect(decodeUserEvent(body(encodeUserEvent(e)))).toEqual(e)
    expect(() => decodeJoin(encode({LTime: 1}))).toThrow(/node name/)
  })

  it('round-trips a query with filters, and the filters themselves', () => {
    const filters = [encodeFilter({nodes: ['a', 'b']}), encodeFilter({tag: 'role', expr: '^consul$'})]
    const q = {ltime: 8, id: 12345, addr: {ip: '10.0.0.3', port: 8301}, sourceNode: 'c', filters, flags: 1, relayFactor: 2, timeoutNs: 5e9, name: '_serf_ping', payload: Uint8Array.of(0)}
    expect(decodeQuery(body(encodeQuery(q)))).toEqual(q)
    expect(decodeFilter(filters[0])).toEqual({nodes: ['a', 'b']})
    expect(decodeFilter(filters[1])).toEqual({tag: 'role', expr: '^consul$'})
    expect(() => decodeFilter(Uint8Array.of(3, 0x90))).toThrow(/filter type/)
  })

  it('round-trips push/pull state and skips the nil slots of the event ring', () => {
    const pp = {ltime: 10, statusLTimes: {a: 1, b: 7}, leftMembers: ['b'], eventLTime: 3, events: [{ltime: 2, events: [{name: 'x', payload: Uint8Array.of(5)}]}], queryLTime: 4}
    expect(decodePushPull(body(encodePushPull(pp)))).toEqual(pp)
    const withNils = encode({LTime: 1, StatusLTimes: {}, LeftMembers: [], EventLTime: 0, Events: [null, {LTime: 1, Events: []}, null], QueryLTime: 0})
    expect(decodePushPull(withNils).events).toEqual([{ltime: 1, events: []}])
  })

  it('wraps a message for relay and reads the destination back', () => {
    const inner = encodeJoin({ltime: 1, node: 'z'})
    const relay = encodeRelay({ip: '10.0.0.9', port: 8301}, 'n9', inner)
    expect(relay[0]).toBe(SerfMsg.relay)
    const r = decodeRelayHeader(body(relay))
    expect(r.dest).toEqual({ip: '10.0.0.9', port: 8301})
    expect(r.destName).toBe('n9')
    expect(r.rest).toEqual(inner)
  })
})
