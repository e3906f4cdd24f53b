import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {encode, ShortRead, WireError} from '../../../src/agent/gossip/codec.js'
import {MsgType, NodeState, encodeAck, encodePing, type PushNodeState} from '../../../src/agent/gossip/memberlist/messages.js'
import {lzwCompress} from './lzw-writer.js'
import {decompressMessage, encodeErr, encodePushPull, encodeUserStream, openPacket, readStream, sealPacket, sealStream, type Crypto} from '../../../src/agent/gossip/memberlist/wire.js'

const rng = seededRandom(11)
const crypto = (keys: Uint8Array[], over: Partial<Crypto> = {}): Crypto => ({keys, encryptOutgoing: true, verifyIncoming: true, nonce: () => rng.bytes(12), ...over})
const states: PushNodeState[] = [
  {node: 'a', addr: {ip: '10.0.0.1', port: 8301}, meta: Uint8Array.of(1), incarnation: 1, state: NodeState.alive, vsn: [1, 5, 2, 2, 5, 4]},
  {node: 'b', addr: {ip: '10.0.0.2', port: 8301}, meta: new Uint8Array(0), incarnation: 4, state: NodeState.dead, vsn: [1, 5, 2, 2, 5, 4]},
]

describe('memberlist packets and streams (wire)', () => {
  it('adds and checks the CRC header for protocol-5 peers', () => {
    const ping = encodePing({seqNo: 1, node: 'x'})
    const sealed = sealPacket(ping, true, undefined)
    expect(sealed[0]).toBe(MsgType.hasCrc)
    expect(openPacket(sealed, undefined)).toEqual(ping)
    const bad = sealed.slice()
    bad[bad.length - 1] ^= 0xff
    expect(() => openPacket(bad, undefined)).toThrow(/CRC/)
    expect(sealPacket(ping, false, undefined)).toBe(ping)
  })

  it('encrypts packets with the primary key and opens them with any installed key', () => {
    const [k1, k2] = [rng.bytes(32), rng.bytes(32)]
    const ping = encodePing({seqNo: 2, node: 'y'})
    const sealed = sealPacket(ping, true, crypto([k1]))
    expect(openPacket(sealed, crypto([k2, k1]))).toEqual(ping)
    expect(() => openPacket(sealed, crypto([k2]))).toThrow(WireError)
    // Plaintext is refused while verify_incoming is on, accepted during a rolling enable.
    expect(() => openPacket(ping, crypto([k1]))).toThrow(WireError)
    expect(openPacket(ping, crypto([k1], {verifyIncoming: false}))).toEqual(ping)
  })

  it('reads a push/pull stream only once it has arrived whole', () => {
    const user = Uint8Array.of(2, 0x80)
    const buf = encodePushPull(true, states, user)
    const m = readStream(buf, undefined)
    expect(m).toEqual({type: 'pushPull', join: true, nodes: states, userState: user})
    for (const cut of [1, 5, buf.length - 1]) expect(() => readStream(buf.subarray(0, cut), undefined)).toThrow(ShortRead)
  })

  it('reads ping, ack, user and err stream messages', () => {
    expect(readStream(encodePing({seqNo: 5, node: 'z'}), undefined)).toMatchObject({type: 'ping', ping: {seqNo: 5, node: 'z'}})
    expect(readStream(encodeAck({seqNo: 6, payload: new Uint8Array(0)}), undefined)).toEqual({type: 'ack', ack: {seqNo: 6, payload: new Uint8Array(0)}})
    expect(readStream(encodeUserStream(Uint8Array.of(7, 7)), undefined)).toEqual({type: 'user', payload: Uint8Array.of(7, 7)})
    expect(readStream(encodeErr('nope'), undefined)).toEqual({type: 'err', error: 'nope'})
    expect(() => readStream(Uint8Array.of(MsgType.suspect, 0x80), undefined)).toThrow(/unexpected stream message/)
  })

  it('encrypts streams with a length header bound as additional data', () => {
    const k = rng.bytes(16)
    const buf = sealStream(encodePushPull(false, states, new Uint8Array(0)), crypto([k]))
    expect(buf[0]).toBe(MsgType.encrypt)
    expect(readStream(buf, crypto([k]))).toMatchObject({type: 'pushPull', join: false, nodes: states})
    expect(() => readStream(buf.subarray(0, buf.length - 1), crypto([k]))).toThrow(ShortRead)
    expect(() => readStream(buf, undefined)).toThrow(/not configured/)
    expect(() => readStream(encodePushPull(false, states, new Uint8Array(0)), crypto([k]))).toThrow(/not encrypted/)
  })

  it('unwraps compressed messages as Go peers send them', () => {
    const inner = encodePushPull(false, states, new Uint8Array(0))
    const wrapped = Uint8Array.from([MsgType.compress, ...encode({Algo: 0, Buf: lzwCompress(inner).bytes})])
    expect(decompressMessage(wrapped.subarray(1))).toEqual(inner)
    expect(readStream(wrapped, undefined)).toMatchObject({type: 'pushPull', nodes: states})
    expect(() => decompressMessage(encode({Algo: 1, Buf: new Uint8Array(0)}))).toThrow(/algorithm/)
  })
})
