import {describe, expect, it} from 'vitest'
import {encode, encodeTyped, WireError} from '../../../src/agent/gossip/codec.js'
import {
  MsgType, NodeState,
  decodeAck, decodeAlive, decodeCompound, decodeIndirectPing, decodeNack, decodePing, decodeSuspect,
  encodeAck, encodeAlive, encodeCompound, encodeDead, encodeIndirectPing, encodeNack, encodePing, encodeSuspect,
  pushNodeStateFields, pushNodeStateFrom,
  type Alive, type PushNodeState,
} from '../../../src/agent/gossip/memberlist/messages.js'

const body = (b: Uint8Array) => b.subarray(1)
const vsn = [1, 5, 2, 2, 5, 4]

describe('memberlist messages (net.go)', () => {
  it('round-trips ping with and without a source address', () => {
    const p = {seqNo: 42, node: 'n1', source: {ip: '10.0.0.7', port: 8301}, sourceNode: 'n7'}
    const buf = encodePing(p)
    expect(buf[0]).toBe(MsgType.ping)
    expect(decodePing(body(buf))).toEqual(p)
    expect(decodePing(body(encodePing({seqNo: 1, node: ''})))).toEqual({seqNo: 1, node: '', source: undefined, sourceNode: undefined})
  })

  it('round-trips indirect ping for IPv4 and IPv6 targets', () => {
    for (const ip of ['10.1.2.3', 'fd00::1:2']) {
      const p = {seqNo: 9, target: {ip, port: 7946}, node: 'n2', nack: true, source: {ip: '10.0.0.1', port: 8301}, sourceNode: 'n0'}
      const buf = encodeIndirectPing(p)
      expect(buf[0]).toBe(MsgType.indirectPing)
      expect(decodeIndirectPing(body(buf))).toEqual(p)
    }
  })

  it('round-trips ack (with payload), nack, suspect and dead', () => {
    expect(decodeAck(body(encodeAck({seqNo: 3, payload: Uint8Array.of(9, 8)})))).toEqual({seqNo: 3, payload: Uint8Array.of(9, 8)})
    expect(decodeNack(body(encodeNack(77)))).toBe(77)
    const s = {incarnation: 5, node: 'n3', from: 'n1'}
    expect(encodeSuspect(s)[0]).toBe(MsgType.suspect)
    expect(decodeSuspect(body(encodeSuspect(s)))).toEqual(s)
    expect(encodeDead(s)[0]).toBe(MsgType.dead)
    expect(decodeSuspect(body(encodeDead(s)))).toEqual(s)
  })

  it('round-trips alive, and keeps only a 6-byte version vector', () => {
    const a: Alive = {incarnation: 12, node: 'n4', addr: {ip: '192.168.1.9', port: 8301}, meta: Uint8Array.of(0xff, 0x80), vsn}
    const buf = encodeAlive(a)
    expect(buf[0]).toBe(MsgType.alive)
    expect(decodeAlive(body(buf))).toEqual(a)
    const short = encodeTyped(MsgType.alive, {Incarnation: 1, Node: 'x', Addr: Uint8Array.of(1, 2, 3, 4), Port: 1, Meta: new Uint8Array(0), Vsn: Uint8Array.of(1, 2)})
    expect(decodeAlive(body(short)).vsn).toEqual([])
  })

  it('round-trips push/pull node states and refuses unknown states and nameless entries', () => {
    const s: PushNodeState = {node: 'n5', addr: {ip: '10.0.0.5', port: 8301}, meta: new Uint8Array(0), incarnation: 3, state: NodeState.left, vsn}
    expect(pushNodeStateFrom(pushNodeStateFields(s))).toEqual(s)
    expect(() => pushNodeStateFrom({...pushNodeStateFields(s), State: 4})).toThrow(/unknown node state/)
    expect(() => pushNodeStateFrom({...pushNodeStateFields(s), Name: ''})).toThrow(WireError)
  })

  it('refuses suspect/dead/alive without a node name', () => {
    expect(() => decodeSuspect(encode({Incarnation: 1, From: 'a'}))).toThrow(WireError)
    expect(() => decodeAlive(encode({Incarnation: 1}))).toThrow(WireError)
  })

  it('builds compound messages as [7][n][n × uint16 BE][parts] and splits them back', () => {
    const parts = [encodePing({seqNo: 1, node: 'a'}), encodeSuspect({incarnation: 1, node: 'b', from: 'a'}), new Uint8Array(300).fill(8)]
    const c = encodeCompound(parts)
    expect(c[0]).toBe(MsgType.compound)
    expect(c[1]).toBe(3)
    expect((c[2] << 8) | c[3]).toBe(parts[0].length)
    expect((c[6] << 8) | c[7]).toBe(300)
    const {parts: back, truncated} = decodeCompound(body(c))
    expect(truncated).toBe(0)
    expect(back).toEqual(parts)
  })

  it('keeps the whole parts of a compound with a truncated tail and counts the rest', () => {
    const parts = [Uint8Array.of(1, 1), Uint8Array.of(2, 2, 2), Uint8Array.of(3, 3, 3, 3)]
    const c = body(encodeCompound(parts))
    // Cut inside the second part: only the first survives, two are reported missing.
    const cut = decodeCompound(c.subarray(0, c.length - 5))
    expect(cut.parts).toEqual([parts[0]])
    expect(cut.truncated).toBe(2)
    // A length table that does not fit is an error, not an empty message.
    expect(() => decodeCompound(c.subarray(0, 4))).toThrow(/length slice/)
    expect(() => decodeCompound(new Uint8Array(0))).toThrow(WireError)
  })
})
