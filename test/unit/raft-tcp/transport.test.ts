import * as net from 'node:net'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {EntryType, MsgType, type Message, type NodeId} from '../../../src/agent/raft/core/types.js'
import {createRaftCodec} from '../../../src/agent/raft/raft-wire.js'
import {RpcType} from '../../../src/agent/rpc/protocol.js'
import {createTcpRaftTransport, type TcpRaftTransport, type TcpRaftTransportOptions} from '../../../src/agent/raft/transport-tcp.js'
import {startRpcServer, type RpcServer} from '../../../src/agent/rpc/server.js'
import {DC, log, waitFor} from './harness.js'

// Two bare transports (no RaftNode) on 127.0.0.125 and .126, to check the contract itself.
const IP: Record<NodeId, string> = {x: '127.0.0.125', y: '127.0.0.126'}

const open: Array<{t: TcpRaftTransport; s: RpcServer}> = []
afterEach(async () => {
  for (const {t, s} of open.splice(0)) {
    t.close()
    await s.close()
  }
})

async function pair(extra: Partial<TcpRaftTransportOptions> = {}) {
  const addrs = new Map<NodeId, string>()
  const make = async (id: NodeId) => {
    const s = await startRpcServer({bindIp: IP[id]!, port: 0, log, handler: async () => null})
    addrs.set(id, `${IP[id]}:${s.port}`)
    const t = createTcpRaftTransport({selfId: id, datacenter: DC, bindIp: IP[id], resolve: (p) => addrs.get(p), listener: s, log, ...extra})
    const got: Message[] = []
    t.onMessage((m) => got.push(m))
    const unreachable: NodeId[] = []
    t.onUnreachable!((to) => unreachable.push(to))
    const snaps: Array<[NodeId, boolean]> = []
    t.onSnapshotStatus!((to, ok) => snaps.push([to, ok]))
    open.push({t, s})
    return {t, s, got, unreachable, snaps}
  }
  return {x: await make('x'), y: await make('y'), addrs}
}

const bytes = (n: number, seed: number) => Uint8Array.from({length: n}, (_, i) => (i * 31 + seed) & 0xff)

describe('TCP Raft transport contract', () => {
  it('delivers messages intact (Uint8Array entries), never from inside send()', async () => {
    const {x, y} = await pair()
    const app: Message = {
      type: MsgType.App, from: 'x', to: 'y', term: 3, logTerm: 2, index: 7, commit: 6,
      entries: [{index: 8, term: 3, type: EntryType.Normal, data: bytes(300, 1)}, {index: 9, term: 3, type: EntryType.ConfChange, data: new Uint8Array(0)}],
    }
    const resp: Message = {type: MsgType.AppResp, from: 'x', to: 'y', term: 3, index: 9, reject: true, rejectHint: 4}
    const read: Message = {type: MsgType.ReadIndex, from: 'x', to: 'y', term: 0, context: 'ctx-1'}
    x.t.send([app, resp, read])
    expect(y.got.length).toBe(0)
    await waitFor('three messages', () => y.got.length === 3)
    expect(y.got).toEqual([app, resp, read])
    expect(y.got[0]!.entries![0]!.data).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(y.got[0]!.entries![0]!.data).equals(Buffer.from(app.entries![0]!.data))).toBe(true)
    // Absent optional fields stay absent (no nulls, no undefined keys).
    expect(Object.keys(y.got[2]!).sort()).toEqual(['context', 'from', 'term', 'to', 'type'])
    // One connection for the messages, dialed from the bind address.
    expect(x.t.stats().connsOut).toBe(1)
    expect(y.t.stats().connsIn).toBe(1)
    expect(y.s.stats().connsAccepted).toBe(1)
  })

  it('coalesces the messages of one turn into one write per peer', async () => {
    const {x, y} = await pair()
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 1}])
    await waitFor('connected', () => y.got.length === 1)
    // Socket internals, spied only for this turn: a corked socket flushes with one writev.
    const proto = net.Socket.prototype as unknown as {_write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void}
    const single = vi.spyOn(proto, '_write')
    const vector = vi.spyOn(proto, '_writev')
    const hb = (term: number): Message => ({type: MsgType.Heartbeat, from: 'x', to: 'y', term})
    x.t.send(Array.from({length: 50}, (_, i) => hb(i + 2)))
    x.t.send(Array.from({length: 50}, (_, i) => hb(i + 52)))
    await new Promise((r) => setImmediate(r))
    const writes = single.mock.calls.length + vector.mock.calls.length
    const chunks = vector.mock.calls[0]?.[0].length
    single.mockRestore()
    vector.mockRestore()
    expect(writes).toBe(1)
    expect(chunks).toBe(100)
    await waitFor('all delivered', () => y.got.length === 101)
    expect(y.got.map((m) => m.term)).toEqual(Array.from({length: 101}, (_, i) => i + 1))
  })

  it('streams a MsgSnap in chunks, delivers it whole and reports ok', async () => {
    const {x, y} = await pair({snapshotChunkBytes: 1000})
    const data = bytes(10_500, 7)
    const snap: Message = {type: MsgType.Snap, from: 'x', to: 'y', term: 4, snapshot: {meta: {index: 40, term: 4, conf: {voters: ['x', 'y'], learners: ['z']}}, data}}
    x.t.send([snap])
    expect(x.snaps.length).toBe(0)
    await waitFor('snapshot status', () => x.snaps.length === 1)
    expect(x.snaps).toEqual([['y', true]])
    expect(y.got.length).toBe(1)
    expect(y.got[0]!.snapshot!.meta).toEqual(snap.snapshot!.meta)
    expect(Buffer.from(y.got[0]!.snapshot!.data).equals(Buffer.from(data))).toBe(true)
    expect(x.t.stats().snapshotChunksSent).toBe(11)
    expect(y.t.stats().snapshotChunksReceived).toBe(11)
    // A connection of its own, separate from the (here unused) message connection.
    expect(x.t.stats().connsOut).toBe(0)
  })

  it('drops messages for an unknown peer and reports it unreachable (and the MsgSnap not ok), on a later turn', async () => {
    const {x} = await pair()
    x.t.send([
      {type: MsgType.Heartbeat, from: 'x', to: 'nobody', term: 1},
      {type: MsgType.Heartbeat, from: 'x', to: 'nobody', term: 1},
      {type: MsgType.Snap, from: 'x', to: 'nobody', term: 1, snapshot: {meta: {index: 1, term: 1, conf: {voters: ['x'], learners: []}}, data: bytes(10, 0)}},
    ])
    expect(x.unreachable.length).toBe(0)
    expect(x.snaps.length).toBe(0)
    await waitFor('reports', () => x.unreachable.length > 0 && x.snaps.length > 0)
    // One unreachable report per peer per turn, however many messages were dropped.
    expect(x.unreachable).toEqual(['nobody'])
    expect(x.snaps).toEqual([['nobody', false]])
    expect(x.t.stats().droppedUnknownPeer).toBe(2)
  })

  it('a peer that refuses connections: dropped, reported, and not redialed during backoff', async () => {
    const {x, y, addrs} = await pair({redialMinMs: 5000, redialMaxMs: 5000})
    y.t.close()
    await y.s.close()
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 1}])
    await waitFor('unreachable', () => x.unreachable.length === 1)
    expect(x.t.stats().dialFailures).toBe(1)
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 1}])
    await waitFor('unreachable again', () => x.unreachable.length === 2)
    expect(x.t.stats().droppedPeerDown).toBe(1)
    expect(x.t.stats().dials).toBe(1)
    // A new address (the peer came back elsewhere) is dialed at once despite the backoff.
    const s2 = await startRpcServer({bindIp: IP.y!, port: 0, log, handler: async () => null})
    const t2 = createTcpRaftTransport({selfId: 'y', datacenter: DC, resolve: () => undefined, listener: s2, log})
    open.push({t: t2, s: s2})
    const got: Message[] = []
    t2.onMessage((m) => got.push(m))
    addrs.set('y', `${IP.y}:${s2.port}`)
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 2}])
    await waitFor('delivered to the new address', () => got.length === 1)
    expect(got[0]!.term).toBe(2)
  })

  it('a snapshot transfer that stalls halfway is discarded after the idle limit', async () => {
    const {y} = await pair({snapshotIdleMs: 200})
    const codec = createRaftCodec(1 << 20)
    const sock = net.connect({host: IP.y!, port: y.s.port, localAddress: IP.x})
    sock.on('error', () => {})
    let closed = false
    sock.on('close', () => (closed = true))
    const snap: Message = {type: MsgType.Snap, from: 'x', to: 'y', term: 1, snapshot: {meta: {index: 9, term: 1, conf: {voters: ['x', 'y'], learners: []}}, data: new Uint8Array(0)}}
    sock.write(Buffer.concat([Buffer.of(RpcType.Raft), codec.hello(DC, 'x'), codec.snapBegin(snap, 100), codec.snapChunkHead(10), Buffer.alloc(10)]))
    await waitFor('the stalled transfer dropped', () => closed, 3000)
    expect(y.t.stats().snapshotChunksReceived).toBe(1)
    expect(y.t.stats().snapshotsDiscarded).toBe(1)
    expect(y.got.length).toBe(0)
  })

  it('after close() nothing is delivered and its sockets are gone', async () => {
    const {x, y} = await pair()
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 1}])
    await waitFor('first delivery', () => y.got.length === 1)
    expect(y.t.stats().connsIn).toBe(1)
    y.t.close()
    expect(y.t.stats().connsIn).toBe(0)
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 2}])
    // x sees its connection cut and reports y unreachable; y delivers nothing more.
    await waitFor('x notices', () => x.unreachable.length >= 1)
    expect(y.got.length).toBe(1)
    x.t.close()
    x.t.send([{type: MsgType.Heartbeat, from: 'x', to: 'y', term: 3}])
    expect(x.t.stats().connsOut).toBe(0)
    expect(y.got.length).toBe(1)
  })
})
