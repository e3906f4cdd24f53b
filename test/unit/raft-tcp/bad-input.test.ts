import {encode} from '@msgpack/msgpack'
import * as net from 'node:net'
import {describe, expect, it} from 'vitest'
import {MsgType, type Message} from '../../../src/agent/raft/core/types.js'
import {createRaftCodec} from '../../../src/agent/raft/raft-wire.js'
import {RpcType} from '../../../src/agent/rpc/protocol.js'
import {DC, IPS, RAW_IP, TcpCluster, waitFor, type Member} from './harness.js'

const MAX_FRAME = 64 * 1024
const codec = createRaftCodec(MAX_FRAME)
const RAFT = Buffer.of(RpcType.Raft)

/** A frame as a peer would send it, with any version byte. */
function rawFrame(value: unknown, version = 1): Buffer {
  const payload = encode(value)
  const out = Buffer.alloc(5 + payload.length)
  out.writeUInt32BE(1 + payload.length, 0)
  out[4] = version
  out.set(payload, 5)
  return out
}

const hb = (from: string, to: string): Message => ({type: MsgType.Heartbeat, from, to, term: 0, commit: 0})

interface Case {
  what: string
  bytes: (target: string) => Buffer
  counter: string
  /** Whether the connection is closed for it (misaddressed messages are dropped one by one). */
  closes: boolean
}

const cases: Case[] = [
  {what: 'bytes that are not msgpack', bytes: () => Buffer.concat([RAFT, Buffer.of(0, 0, 0, 3, 1, 0xc1, 0xc1)]), counter: 'framesRejected', closes: true},
  {what: 'text (an HTTP request after the Raft byte)', bytes: () => Buffer.concat([RAFT, Buffer.from('GET / HTTP/1.1\r\n\r\n')]), counter: 'framesRejected', closes: true},
  {what: 'a frame over maxFrameBytes (refused from its header)', bytes: () => Buffer.concat([RAFT, Buffer.of(0, 1, 0, 1)]), counter: 'framesRejected', closes: true},
  {what: 'a frame of an unknown wire version', bytes: () => Buffer.concat([RAFT, rawFrame([0, DC, 'a'], 9)]), counter: 'framesRejected', closes: true},
  {what: 'a message before the handshake', bytes: (t) => Buffer.concat([RAFT, codec.msg(hb('a', t))]), counter: 'framesRejected', closes: true},
  {what: 'a handshake from another datacenter', bytes: (t) => Buffer.concat([RAFT, codec.hello('dc2', 'a'), codec.msg(hb('a', t))]), counter: 'droppedWrongDatacenter', closes: true},
  {what: 'a local-only message type (MsgHup)', bytes: (t) => Buffer.concat([RAFT, codec.hello(DC, 'a'), rawFrame([1, ['MsgHup', 'a', t, 0, null, null, null, null, null, null, null]])]), counter: 'framesRejected', closes: true},
  {what: 'an entry whose data is not bytes', bytes: (t) => Buffer.concat([RAFT, codec.hello(DC, 'a'), rawFrame([1, ['MsgApp', 'a', t, 0, 0, 0, 0, null, null, null, [[1, 1, 0, 'str']]]])]), counter: 'framesRejected', closes: true},
  {
    what: 'a snapshot longer than announced',
    bytes: (t) => Buffer.concat([RAFT, codec.hello(DC, 'a'), rawFrame([2, ['MsgSnap', 'a', t, 99, null, null, null, null, null, null, null], [50, 99, ['a'], []], 2]), codec.snapChunkHead(3), Buffer.of(1, 2, 3)]),
    counter: 'framesRejected', closes: true,
  },
  {
    what: 'a snapshot whose checksum does not match',
    bytes: (t) => Buffer.concat([RAFT, codec.hello(DC, 'a'), rawFrame([2, ['MsgSnap', 'a', t, 99, null, null, null, null, null, null, null], [50, 99, ['a'], []], 3]), codec.snapChunkHead(3), Buffer.of(1, 2, 3), codec.snapEnd(new Uint8Array(20))]),
    counter: 'framesRejected', closes: true,
  },
  {what: 'a message addressed to another server', bytes: () => Buffer.concat([RAFT, codec.hello(DC, 'a'), codec.msg(hb('a', 'someone-else'))]), counter: 'droppedWrongTarget', closes: false},
  {what: 'a message whose sender is not the handshake\'s', bytes: (t) => Buffer.concat([RAFT, codec.hello(DC, 'a'), codec.msg(hb('b', t))]), counter: 'droppedWrongSender', closes: false},
]

async function rawConn(port: number, host: string): Promise<{sock: net.Socket; isClosed: () => boolean}> {
  const sock = net.connect({host, port, localAddress: RAW_IP})
  let closed = false
  sock.on('error', () => {})
  sock.on('close', () => {
    closed = true
  })
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve)
    sock.once('error', reject)
  })
  return {sock, isClosed: () => closed}
}

async function setup(): Promise<{c: TcpCluster; target: Member}> {
  const c = await TcpCluster.start({}, () => ({maxFrameBytes: MAX_FRAME, handshakeTimeoutMs: 300, redialMaxMs: 300}))
  await c.put('before', '1')
  await c.converged(['a', 'b', 'c'], 1)
  // A follower: it must keep following, and keep receiving from the real leader, throughout.
  const leader = await c.leader()
  const target = [...c.members.values()].find((m) => m !== leader && m.id !== 'a')!
  return {c, target}
}

async function stillWorks(c: TcpCluster, target: Member): Promise<void> {
  const received = target.transport.stats().msgsReceived
  await c.put('after', '2')
  await c.converged(['a', 'b', 'c'], 2)
  expect(target.transport.stats().msgsReceived).toBeGreaterThan(received)
}

describe('the Raft listener under bad input', () => {
  for (const k of cases) {
    it(`drops and counts ${k.what}, and the node keeps working`, async () => {
      const {c, target} = await setup()
      const before = target.transport.stats()
      const raw = await rawConn(target.port, IPS[target.id]!)
      raw.sock.write(k.bytes(target.id))
      await waitFor(`${k.counter} counted`, () => target.transport.stats()[k.counter] === before[k.counter]! + 1)
      if (k.closes) await waitFor('the bad connection closed', raw.isClosed)
      else expect(raw.isClosed()).toBe(false)
      expect(target.transport.stats().snapshotsReceived).toBe(0)
      raw.sock.destroy()
      await stillWorks(c, target)
    })
  }

  it('closes a connection that sends no handshake within the timeout', async () => {
    const {c, target} = await setup()
    const raw = await rawConn(target.port, IPS[target.id]!)
    raw.sock.write(RAFT)
    await waitFor('the silent connection closed', raw.isClosed, 3000)
    expect(target.transport.stats().handshakeTimeouts).toBe(1)
    await stillWorks(c, target)
  })
})
