import * as net from 'node:net'
import {performance} from 'node:perf_hooks'
import type {Logger} from '../env/types.js'
import {formatPeer, normalizeIp, parseRpcAddr} from '../rpc/addr.js'
import {batchedWriter} from '../rpc/batched-write.js'
import {FRAME_HEADER_BYTES, RpcType} from '../rpc/protocol.js'
import type {ProtocolHandler} from '../rpc/server.js'
import {MsgType, type Message, type NodeId} from './core/types.js'
import {createRaftCodec} from './raft-wire.js'
import {InboundConn, type InboundCounters} from './tcp-inbound.js'
import {SnapshotSend, type SnapshotSendCounters} from './tcp-snapshot-send.js'
import type {RaftTransport} from './transport.js'

export interface TcpRaftTransportOptions {
  selfId: NodeId
  datacenter: string
  /** Outgoing connections originate from this address (the agent's -bind); a wildcard lets the kernel pick. */
  bindIp?: string
  /** "ip:port" of a peer's server RPC port (from its gossip tags); undefined = unknown: the message is dropped and reported unreachable. */
  resolve(id: NodeId): string | undefined
  /** Where inbound Raft connections come from: the RpcServer (its first-byte dispatch). */
  listener: {onProtocol(type: number, handler: ProtocolHandler): void}
  log: Logger
  /** Largest frame sent or accepted (default 16 MiB; a MsgApp carries at most ~1 MiB of entries unless one entry is bigger). */
  maxFrameBytes?: number
  /** Snapshot data per chunk frame (default 1 MiB). */
  snapshotChunkBytes?: number
  /** Largest snapshot accepted (default 1 GiB); announced bigger ones are refused. */
  maxSnapshotBytes?: number
  /** Dial timeout (default 5000 ms). */
  connectTimeoutMs?: number
  /** An inbound connection must send its hello frame within this time (default 5000 ms, Consul's rpc_handshake_timeout). */
  handshakeTimeoutMs?: number
  /** A snapshot transfer with no progress for this long fails on both ends (default 30000 ms). */
  snapshotIdleMs?: number
  /** Bytes queued on one peer's message connection past which new messages to it are dropped (default 16 MiB). */
  maxBufferedBytes?: number
  /** Redial backoff after a failed or lost connection: doubles from min to max (defaults 100 and 2000 ms). */
  redialMinMs?: number
  redialMaxMs?: number
  /** For tests only. */
  testHooks?: {
    /** Called after each snapshot chunk is written; destroying `socket` cuts the stream mid-transfer. */
    afterSnapshotChunk?(to: NodeId, chunk: number, socket: net.Socket): void
  }
}

export type TcpRaftTransport = RaftTransport & {
  /** Counters since start, plus current connection and transfer gauges. */
  stats(): Record<string, number>
}

interface Peer {
  id: NodeId
  addr?: string
  sock?: net.Socket
  write?: (frame: Buffer) => void
  connected: boolean
  /** Consecutive failed dials (reset by a successful connect). */
  failures: number
  /** performance.now() before which no redial is tried. */
  retryAtMs: number
  snap?: SnapshotSend
}

const DEFAULTS = {
  maxFrameBytes: 16 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
  maxSnapshotBytes: 1024 * 1024 * 1024,
  connectTimeoutMs: 5000,
  handshakeTimeoutMs: 5000,
  snapshotIdleMs: 30_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  redialMinMs: 100,
  redialMaxMs: 2000,
}

/**
 * Raft over the server RPC port (first byte RpcType.Raft), on connections of its own so
 * heartbeats never queue behind RPC replies: one lazily dialed connection per peer for
 * ordinary messages (coalesced per turn into one write), and one connection per snapshot
 * transfer, streamed in chunks. Delivery is best effort as Raft expects: a message for a
 * peer that is unknown, down (in redial backoff) or too far behind on its connection is
 * dropped and reported through onUnreachable; every MsgSnap is reported through
 * onSnapshotStatus. Callbacks run on a later turn, never inside send().
 */
export function createTcpRaftTransport(opts: TcpRaftTransportOptions): TcpRaftTransport {
  const o = {...DEFAULTS, ...withoutUndefined(opts)} as typeof DEFAULTS & TcpRaftTransportOptions
  const log = opts.log
  const codec = createRaftCodec(o.maxFrameBytes)
  const localAddress = o.bindIp && !['0.0.0.0', '::', '[::]'].includes(o.bindIp) ? o.bindIp : undefined
  const peers = new Map<NodeId, Peer>()
  const inbound = new Set<net.Socket>()
  let closed = false
  let handler: ((m: Message) => void) | undefined
  let unreachableHandler: ((to: NodeId) => void) | undefined
  let snapshotHandler: ((to: NodeId, ok: boolean) => void) | undefined

  const out = {
    msgsSent: 0, droppedUnknownPeer: 0, droppedPeerDown: 0, droppedBackpressure: 0, droppedOversized: 0,
    unreachableReports: 0, dials: 0, connects: 0, dialFailures: 0, connsLost: 0,
  }
  const snapOut: SnapshotSendCounters = {snapshotsSent: 0, snapshotsFailed: 0, snapshotChunksSent: 0, snapshotBytesSent: 0}
  const inc: InboundCounters = {
    connsAccepted: 0, msgsReceived: 0, droppedWrongDatacenter: 0, droppedWrongTarget: 0, droppedWrongSender: 0, droppedClosed: 0,
    framesRejected: 0, handshakeTimeouts: 0, snapshotsReceived: 0, snapshotsDiscarded: 0, snapshotChunksReceived: 0,
  }

  // ---- callbacks on a later turn -------------------------------------------------------

  const unreachable = new Set<NodeId>()
  const statuses: Array<[NodeId, boolean]> = []
  let flushScheduled = false
  const scheduleFlush = () => {
    if (flushScheduled) return
    flushScheduled = true
    setImmediate(() => {
      flushScheduled = false
      const ids = [...unreachable]
      unreachable.clear()
      const st = statuses.splice(0)
      for (const id of ids) {
        if (closed) return
        out.unreachableReports++
        unreachableHandler?.(id)
      }
      for (const [id, ok] of st) if (!closed) snapshotHandler?.(id, ok)
    })
  }
  /** One report per peer per turn, however many of its messages were dropped. */
  const reportUnreachable = (id: NodeId) => {
    unreachable.add(id)
    scheduleFlush()
  }
  const reportSnapshot = (id: NodeId, ok: boolean) => {
    statuses.push([id, ok])
    scheduleFlush()
  }

  // ---- outgoing messages ---------------------------------------------------------------

  const peerOf = (id: NodeId): Peer => {
    let p = peers.get(id)
    if (!p) peers.set(id, (p = {id, connected: false, failures: 0, retryAtMs: 0}))
    return p
  }

  const dial = (p: Peer, addr: string): boolean => {
    p.addr = addr
    let target
    try {
      target = parseRpcAddr(addr)
    } catch (e) {
      log.warn('cannot dial raft peer: bad address', {peer: p.id, addr, error: (e as Error).message})
      p.retryAtMs = performance.now() + o.redialMaxMs
      return false
    }
    out.dials++
    const sock = net.connect({host: target.host, port: target.port, localAddress, noDelay: true})
    p.sock = sock
    p.connected = false
    p.write = batchedWriter(sock)
    // Buffered by the socket until connected, then sent ahead of the first message.
    p.write(Buffer.of(RpcType.Raft))
    p.write(codec.hello(o.datacenter, o.selfId))
    let lastError: string | undefined
    const timer = setTimeout(() => {
      lastError = `timed out after ${o.connectTimeoutMs} ms`
      sock.destroy()
    }, o.connectTimeoutMs)
    sock.once('connect', () => {
      clearTimeout(timer)
      out.connects++
      if (p.failures > 0) log.info('raft peer connection restored', {peer: p.id, addr})
      p.connected = true
      p.failures = 0
      sock.setKeepAlive(true, 30_000)
    })
    // The receiver never writes on a message connection; anything it sends is ignored.
    sock.on('data', () => {})
    sock.on('error', (e) => {
      lastError = e.message
    })
    sock.on('close', () => {
      clearTimeout(timer)
      if (p.sock !== sock) return // replaced (address change) or transport closed
      const wasConnected = p.connected
      p.sock = p.write = undefined
      p.connected = false
      if (closed) return
      if (wasConnected) out.connsLost++
      else out.dialFailures++
      p.retryAtMs = performance.now() + Math.min(o.redialMaxMs, o.redialMinMs * 2 ** p.failures)
      // Log when the state changes; repeated failures to a peer that stays down go to debug.
      const level = wasConnected || p.failures === 0 ? 'warn' : 'debug'
      log[level](wasConnected ? 'raft peer connection lost' : 'cannot connect to raft peer', {peer: p.id, addr, error: lastError ?? 'closed by peer'})
      p.failures++
      // Whatever was still queued on it is lost.
      reportUnreachable(p.id)
    })
    return true
  }

  /** The peer's message connection, dialed if needed; undefined = drop (already counted). */
  const connFor = (id: NodeId): Peer | undefined => {
    const addr = opts.resolve(id)
    if (addr === undefined) {
      out.droppedUnknownPeer++
      return undefined
    }
    const p = peerOf(id)
    if (p.addr !== undefined && p.addr !== addr) {
      // The peer moved (new RPC address in its gossip tags): the old connection and the
      // backoff earned at the old address are moot.
      log.info('raft peer address changed; redialing', {peer: id, from: p.addr, to: addr})
      const old = p.sock
      p.sock = p.write = undefined
      p.connected = false
      p.failures = 0
      p.retryAtMs = 0
      old?.destroy()
    }
    if (!p.sock) {
      if (performance.now() < p.retryAtMs || !dial(p, addr)) {
        out.droppedPeerDown++
        return undefined
      }
    }
    return p
  }

  const sendMessage = (m: Message) => {
    const p = connFor(m.to)
    if (!p) return reportUnreachable(m.to)
    let frame: Buffer
    try {
      frame = codec.msg(m)
    } catch (e) {
      log.error('cannot encode raft message', {type: m.type, to: m.to, error: (e as Error).message})
      return reportUnreachable(m.to)
    }
    if (frame.length - FRAME_HEADER_BYTES > o.maxFrameBytes) {
      out.droppedOversized++
      log.error('dropping raft message larger than the frame limit', {type: m.type, to: m.to, bytes: frame.length, limit: o.maxFrameBytes})
      return reportUnreachable(m.to)
    }
    if (p.sock!.writableLength > o.maxBufferedBytes) {
      out.droppedBackpressure++
      return reportUnreachable(m.to)
    }
    p.write!(frame)
    out.msgsSent++
  }

  const sendSnapshot = (m: Message) => {
    const fail = (why: string, fields: Record<string, unknown> = {}) => {
      snapOut.snapshotsFailed++
      log.warn('raft snapshot not sent', {to: m.to, reason: why, ...fields})
      reportSnapshot(m.to, false)
    }
    const addr = opts.resolve(m.to)
    if (addr === undefined) return fail('unknown peer address')
    const p = peerOf(m.to)
    // The core sends one snapshot per peer at a time; a second one means the first is stale.
    if (p.snap) return fail('a transfer to this peer is in progress')
    let target
    try {
      target = parseRpcAddr(addr)
    } catch (e) {
      return fail('bad address', {addr, error: (e as Error).message})
    }
    log.info('sending raft snapshot', {to: m.to, index: m.snapshot!.meta.index, bytes: m.snapshot!.data.length})
    const send: SnapshotSend = new SnapshotSend(m, {
      ...target, localAddress, datacenter: o.datacenter, selfId: o.selfId, codec, chunkBytes: o.snapshotChunkBytes,
      connectTimeoutMs: o.connectTimeoutMs, idleMs: o.snapshotIdleMs, counters: snapOut, log, afterChunk: o.testHooks?.afterSnapshotChunk,
      done: (ok) => {
        if (p.snap === send) p.snap = undefined
        if (!closed) reportSnapshot(m.to, ok)
      },
    })
    p.snap = send
  }

  // ---- inbound -------------------------------------------------------------------------

  const deliver = (m: Message): boolean => {
    if (closed || !handler) return false
    try {
      handler(m)
    } catch (e) {
      log.error('raft message handler failed', {type: m.type, from: m.from, error: (e as Error).message})
    }
    return true
  }

  opts.listener.onProtocol(RpcType.Raft, (sock, rest) => {
    if (closed) {
      sock.destroy()
      return
    }
    inbound.add(sock)
    sock.once('close', () => inbound.delete(sock))
    const remote = formatPeer(normalizeIp(sock.remoteAddress ?? '?'), sock.remotePort)
    const conn = new InboundConn(sock, {
      selfId: o.selfId, datacenter: o.datacenter, codec, maxFrameBytes: o.maxFrameBytes, maxSnapshotBytes: o.maxSnapshotBytes,
      handshakeTimeoutMs: o.handshakeTimeoutMs, snapshotIdleMs: o.snapshotIdleMs, counters: inc, log, remote, deliver,
    })
    conn.feed(rest)
  })

  return {
    send(msgs) {
      if (closed) return
      for (const m of msgs) {
        if (m.to === o.selfId) continue
        if (m.type === MsgType.Snap) sendSnapshot(m)
        else sendMessage(m)
      }
    },
    onMessage(h) {
      if (!closed) handler = h
    },
    onUnreachable(h) {
      if (!closed) unreachableHandler = h
    },
    onSnapshotStatus(h) {
      if (!closed) snapshotHandler = h
    },
    close() {
      if (closed) return
      closed = true
      handler = unreachableHandler = snapshotHandler = undefined
      for (const p of peers.values()) {
        const s = p.sock
        p.sock = p.write = undefined
        s?.destroy()
        p.snap?.abort()
        p.snap = undefined
      }
      for (const s of inbound) s.destroy()
      inbound.clear()
    },
    stats() {
      let connsOut = 0
      let snapshotsInFlight = 0
      for (const p of peers.values()) {
        if (p.connected && p.sock) connsOut++
        if (p.snap) snapshotsInFlight++
      }
      return {...out, ...snapOut, ...inc, connsOut, connsIn: inbound.size, snapshotsInFlight}
    },
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
