import * as net from 'node:net'
import {createHash} from 'node:crypto'
import type {Logger} from '../env/types.js'
import {FrameReader} from '../rpc/frame.js'
import {RpcType} from '../rpc/protocol.js'
import type {Message, NodeId} from './core/types.js'
import type {RaftCodec} from './raft-wire.js'

export interface SnapshotSendCounters {
  snapshotsSent: number
  snapshotsFailed: number
  snapshotChunksSent: number
  snapshotBytesSent: number
}

export interface SnapshotSendOptions {
  host: string
  port: number
  localAddress: string | undefined
  datacenter: string
  selfId: NodeId
  codec: RaftCodec
  chunkBytes: number
  connectTimeoutMs: number
  /** No progress (connect, drain, ack) for this long fails the transfer. */
  idleMs: number
  counters: SnapshotSendCounters
  log: Logger
  /** Test hook: called after each chunk is written; may destroy the socket to cut the stream. */
  afterChunk?: (to: NodeId, chunk: number, socket: net.Socket) => void
  /** Called exactly once with the outcome (ok = the receiver acknowledged the whole snapshot). */
  done(ok: boolean): void
}

/**
 * Streams one MsgSnap over a connection of its own (so heartbeats never wait behind it):
 * hello, snap-begin, the data in chunks (waiting for the socket to drain between them, so
 * no more than about one chunk is buffered here), snap-end with the SHA-1, then waits for
 * the receiver's snap-ack. Any failure on the way reports not-ok; the core retries.
 */
export class SnapshotSend {
  readonly sock: net.Socket
  private finished = false
  private readonly reader: FrameReader

  constructor(private readonly m: Message, private readonly o: SnapshotSendOptions) {
    this.reader = new FrameReader(1024)
    this.sock = net.connect({host: o.host, port: o.port, localAddress: o.localAddress, noDelay: true})
    this.sock.setTimeout(o.connectTimeoutMs)
    this.sock.on('timeout', () => this.fail('no progress in time'))
    this.sock.on('error', (e) => this.fail(e.message))
    this.sock.on('close', () => this.fail('connection closed before the receiver acknowledged'))
    this.sock.on('data', (c: Buffer) => this.onData(c))
    this.sock.once('connect', () => {
      this.sock.setTimeout(o.idleMs)
      void this.stream().catch((e: unknown) => this.fail((e as Error).message))
    })
  }

  /** Aborts without reporting (the transport is closing). */
  abort(): void {
    this.finished = true
    this.sock.destroy()
  }

  private async stream(): Promise<void> {
    const {codec, chunkBytes, counters} = this.o
    const data = this.m.snapshot!.data
    this.sock.write(Buffer.of(RpcType.Raft))
    this.sock.write(codec.hello(this.o.datacenter, this.o.selfId))
    this.sock.write(codec.snapBegin(this.m, data.length))
    const hash = createHash('sha1')
    let chunk = 0
    for (let off = 0; off < data.length; off += chunkBytes) {
      if (this.finished || this.sock.destroyed) return
      const piece = data.subarray(off, Math.min(off + chunkBytes, data.length))
      hash.update(piece)
      this.sock.write(codec.snapChunkHead(piece.length))
      const flushed = this.sock.write(piece)
      counters.snapshotChunksSent++
      this.o.afterChunk?.(this.m.to, chunk++, this.sock)
      if (!flushed) await this.drained()
    }
    if (this.finished || this.sock.destroyed) return
    this.sock.write(codec.snapEnd(hash.digest()))
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const go = () => {
        this.sock.off('drain', go)
        this.sock.off('close', go)
        resolve()
      }
      this.sock.on('drain', go)
      this.sock.on('close', go)
    })
  }

  private onData(c: Buffer): void {
    if (this.finished) return
    this.reader.push(c)
    let f
    try {
      const body = this.reader.next()
      if (!body) return
      f = this.o.codec.decode(body)
    } catch (e) {
      return this.fail(`bad answer: ${(e as Error).message}`)
    }
    if (f.kind !== 'snap-ack') return this.fail(`unexpected ${f.kind} frame from the receiver`)
    if (!f.ok) return this.fail('receiver refused the snapshot')
    this.finished = true
    this.o.counters.snapshotsSent++
    this.o.counters.snapshotBytesSent += this.m.snapshot!.data.length
    this.sock.end()
    this.o.done(true)
  }

  private fail(why: string): void {
    if (this.finished) return
    this.finished = true
    this.o.counters.snapshotsFailed++
    this.o.log.warn('raft snapshot transfer failed', {to: this.m.to, index: this.m.snapshot!.meta.index, error: why})
    this.sock.destroy()
    this.o.done(false)
  }
}
