import type {Socket} from 'node:net'
import {createHash, type Hash} from 'node:crypto'
import type {Logger} from '../env/types.js'
import {FrameReader} from '../rpc/frame.js'
import type {Message, NodeId} from './core/types.js'
import type {RaftCodec} from './raft-wire.js'

/** Receive-side counters (shared by every inbound connection of one transport). */
export interface InboundCounters {
  connsAccepted: number
  msgsReceived: number
  droppedWrongDatacenter: number
  droppedWrongTarget: number
  droppedWrongSender: number
  droppedClosed: number
  framesRejected: number
  handshakeTimeouts: number
  snapshotsReceived: number
  snapshotsDiscarded: number
  snapshotChunksReceived: number
}

export interface InboundOptions {
  selfId: NodeId
  datacenter: string
  codec: RaftCodec
  maxFrameBytes: number
  maxSnapshotBytes: number
  handshakeTimeoutMs: number
  /** A snapshot transfer that makes no progress for this long is discarded and its connection closed. */
  snapshotIdleMs: number
  counters: InboundCounters
  log: Logger
  remote: string
  /** Hands a complete message on; false when nobody is listening (transport closed, no handler). */
  deliver(m: Message): boolean
}

interface PartialSnapshot {
  msg: Message
  total: number
  received: number
  /** Allocated once at the announced size (the OS commits pages only as they are written). */
  data: Uint8Array
  hash: Hash
}

/**
 * One accepted Raft connection: the hello frame (within the handshake timeout) names the
 * sender and its datacenter; then messages, and snapshot transfers whose chunks are
 * collected and delivered only once the end frame's length and SHA-1 match. Anything
 * malformed closes this connection only; a cut stream drops its partial snapshot.
 * Frames are handled as they arrive, so the buffer holds at most one frame plus one read.
 */
export class InboundConn {
  private readonly reader: FrameReader
  private from: NodeId | undefined
  private snap: PartialSnapshot | undefined
  private handshakeTimer: NodeJS.Timeout | undefined
  private done = false

  constructor(private readonly sock: Socket, private readonly o: InboundOptions) {
    this.reader = new FrameReader(o.maxFrameBytes)
    o.counters.connsAccepted++
    this.handshakeTimer = setTimeout(() => {
      o.counters.handshakeTimeouts++
      this.drop('warn', 'closing raft connection: no handshake in time', {timeoutMs: o.handshakeTimeoutMs})
    }, o.handshakeTimeoutMs)
    this.handshakeTimer.unref()
    sock.on('data', (c: Buffer) => this.feed(c))
    sock.on('timeout', () => {
      if (!this.snap) return
      this.drop('warn', 'closing raft connection: snapshot transfer stalled', {idleMs: o.snapshotIdleMs})
    })
    sock.on('error', (e) => o.log.debug('raft connection error', {remote: o.remote, error: e.message}))
    sock.on('close', () => this.finish())
  }

  feed(chunk: Buffer): void {
    if (this.done) return
    this.reader.push(chunk)
    for (;;) {
      if (this.done) return
      let f
      try {
        const body = this.reader.next()
        if (!body) return
        f = this.o.codec.decode(body)
      } catch (e) {
        this.o.counters.framesRejected++
        return this.drop('warn', 'closing raft connection: bad frame', {error: (e as Error).message})
      }
      this.onFrame(f)
    }
  }

  private onFrame(f: ReturnType<RaftCodec['decode']>): void {
    const c = this.o.counters
    if (this.from === undefined) {
      if (f.kind !== 'hello') {
        c.framesRejected++
        return this.drop('warn', 'closing raft connection: first frame is not a handshake', {kind: f.kind})
      }
      clearTimeout(this.handshakeTimer)
      if (f.datacenter !== this.o.datacenter) {
        c.droppedWrongDatacenter++
        return this.drop('warn', 'closing raft connection from another datacenter', {datacenter: f.datacenter, from: f.from})
      }
      this.from = f.from
      return
    }
    switch (f.kind) {
      case 'msg':
        if (this.addressed(f.msg)) this.deliver(f.msg)
        return
      case 'snap-begin':
        if (this.snap) return this.reject('snapshot begins inside another')
        if (f.total > this.o.maxSnapshotBytes) return this.reject(`snapshot of ${f.total} bytes exceeds the limit of ${this.o.maxSnapshotBytes}`)
        if (!this.addressed(f.msg)) return this.drop('debug', 'closing raft connection: misaddressed snapshot')
        this.snap = {msg: f.msg, total: f.total, received: 0, data: new Uint8Array(f.total), hash: createHash('sha1')}
        this.sock.setTimeout(this.o.snapshotIdleMs)
        return
      case 'snap-chunk': {
        const s = this.snap
        if (!s) return this.reject('snapshot chunk outside a transfer')
        if (s.received + f.data.length > s.total) return this.reject('snapshot longer than announced')
        s.data.set(f.data, s.received)
        s.hash.update(f.data)
        s.received += f.data.length
        c.snapshotChunksReceived++
        return
      }
      case 'snap-end': {
        const s = this.snap
        if (!s) return this.reject('snapshot end outside a transfer')
        if (s.received !== s.total) return this.reject(`snapshot shorter than announced (${s.received} of ${s.total} bytes)`)
        if (!s.hash.digest().equals(f.digest)) return this.reject('snapshot checksum mismatch')
        this.snap = undefined
        this.sock.setTimeout(0)
        s.msg.snapshot = {meta: s.msg.snapshot!.meta, data: s.data}
        const ok = this.deliver(s.msg)
        if (ok) c.snapshotsReceived++
        this.sock.write(this.o.codec.snapAck(ok))
        return
      }
      default:
        return this.reject(`unexpected ${f.kind} frame`)
    }
  }

  /** Messages must come from the handshake's sender and be for this server; others are dropped. */
  private addressed(m: Message): boolean {
    if (m.to !== this.o.selfId) {
      this.o.counters.droppedWrongTarget++
      this.o.log.warn('dropping raft message addressed to another server', {to: m.to, self: this.o.selfId, from: m.from, remote: this.o.remote})
      return false
    }
    if (m.from !== this.from) {
      this.o.counters.droppedWrongSender++
      this.o.log.warn('dropping raft message whose sender differs from the handshake', {from: m.from, handshake: this.from, remote: this.o.remote})
      return false
    }
    return true
  }

  private deliver(m: Message): boolean {
    if (!this.o.deliver(m)) {
      this.o.counters.droppedClosed++
      return false
    }
    this.o.counters.msgsReceived++
    return true
  }

  private reject(why: string): void {
    this.o.counters.framesRejected++
    this.drop('warn', 'closing raft connection: bad frame', {error: why})
  }

  private drop(level: 'warn' | 'debug', msg: string, fields: Record<string, unknown> = {}): void {
    this.o.log[level](msg, {remote: this.o.remote, from: this.from, ...fields})
    this.sock.destroy()
    this.finish()
  }

  /** Closed from either side: a partial snapshot is discarded, never delivered. */
  private finish(): void {
    if (this.done) return
    this.done = true
    clearTimeout(this.handshakeTimer)
    if (this.snap) {
      this.o.counters.snapshotsDiscarded++
      this.o.log.warn('discarding partial raft snapshot: connection closed mid-transfer', {
        remote: this.o.remote, from: this.from, received: this.snap.received, total: this.snap.total,
      })
      this.snap = undefined
    }
  }
}
