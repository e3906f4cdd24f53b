import {batchedWriter} from './batched-write.js'
import type {Socket} from 'node:net'
import type {Logger} from '../env/types.js'
import type {Codec, RemoteError} from './codec.js'
import {FrameReader} from './frame.js'

export interface RpcCallInfo {
  /** The caller's address, "ip:port". */
  remote: string
  /**
   * Aborted when the caller can no longer use the answer: it cancelled the call (its
   * timeout fired) or its connection closed. A blocking query should stop waiting on it.
   * Created on first access, so handlers that ignore it cost nothing.
   */
  readonly signal: AbortSignal
}

export type RpcHandler = (method: string, body: unknown, info: RpcCallInfo) => Promise<unknown>

/** One running call: its abort controller exists only once the handler asked for the signal. */
interface Call {
  controller?: AbortController
}

/** Counters shared by all connections of one server (see RpcServer.stats). */
export interface ServerCounters {
  calls: number
  callsInFlight: number
  errors: number
  framesRejected: number
  /** Times a connection stopped being read because maxInFlight of its calls were running. */
  pausesInFlight: number
  /** Times a connection stopped being read because its peer was not reading our answers. */
  pausesWriteBuffer: number
}

export interface ServerConnOptions {
  codec: Codec
  handler: RpcHandler
  maxFrameBytes: number
  maxInFlight: number
  counters: ServerCounters
  log: Logger
  remote: string
  /** Called once, when the first complete frame has arrived (ends the handshake window). */
  onFirstFrame: () => void
}

/**
 * The server side of one multiplexed connection: reads request frames, runs each through
 * the handler concurrently, writes each response when its handler settles (so answers
 * leave in completion order, not request order).
 *
 * Backpressure: at most maxInFlight handlers run per connection, and none start while the
 * socket's write buffer is over its high-water mark (a peer that sends but does not read).
 * While either holds, the socket is paused, so TCP flow control pushes back on the sender
 * and unread bytes stay in the kernel, not in our memory.
 */
export class ServerConn {
  private readonly reader: FrameReader
  private inFlight = 0
  private paused = false
  private pausedFull = false
  private pausedUnread = false
  private closed = false
  private sawFrame = false
  private readonly calls = new Map<number, Call>()

  private readonly write: (frame: Buffer) => void

  constructor(private readonly sock: Socket, private readonly o: ServerConnOptions) {
    this.write = batchedWriter(sock, 'loop')
    this.reader = new FrameReader(o.maxFrameBytes)
    sock.on('data', (c: Buffer) => this.feed(c))
    sock.on('drain', () => this.pump())
    sock.on('close', () => {
      this.closed = true
      for (const call of this.calls.values()) call.controller?.abort(new Error('rpc: caller disconnected'))
      this.calls.clear()
    })
  }

  feed(chunk: Buffer): void {
    this.reader.push(chunk)
    this.pump()
  }

  private pump(): void {
    while (!this.closed && !this.blocked()) {
      let frame: Buffer | undefined
      let msg
      try {
        frame = this.reader.next()
        if (!frame) break
        msg = this.o.codec.decode(frame)
      } catch (e) {
        return this.reject((e as Error).message)
      }
      if (!this.sawFrame) {
        this.sawFrame = true
        this.o.onFirstFrame()
      }
      if (msg.kind === 'cancel') {
        this.calls.get(msg.seq)?.controller?.abort(new Error('rpc: call cancelled by the caller'))
        continue
      }
      if (msg.kind !== 'request') return this.reject('a client sent a response frame')
      this.dispatch(msg.seq, msg.method, msg.body)
    }
    if (this.closed) return
    const full = this.inFlight >= this.o.maxInFlight
    const unread = this.sock.writableNeedDrain
    // Counted per cause as each begins (a pause for one cause may turn into the other).
    if (full && !this.pausedFull) this.o.counters.pausesInFlight++
    if (unread && !this.pausedUnread) this.o.counters.pausesWriteBuffer++
    this.pausedFull = full
    this.pausedUnread = unread
    const blocked = full || unread
    if (blocked && !this.paused) {
      this.paused = true
      this.sock.pause()
    } else if (!blocked && this.paused) {
      this.paused = false
      this.sock.resume()
    }
  }

  private blocked(): boolean {
    return this.inFlight >= this.o.maxInFlight || this.sock.writableNeedDrain
  }

  private dispatch(seq: number, method: string, body: unknown): void {
    const c = this.o.counters
    this.inFlight++
    c.callsInFlight++
    const call: Call = {}
    this.calls.set(seq, call)
    const info: RpcCallInfo = {
      remote: this.o.remote,
      get signal() {
        call.controller ??= new AbortController()
        return call.controller.signal
      },
    }
    let p: Promise<unknown>
    try {
      p = Promise.resolve(this.o.handler(method, body, info))
    } catch (e) {
      p = Promise.reject(e)
    }
    p.then(
      (res) => this.respond(seq, null, res),
      (err: unknown) => {
        c.errors++
        this.respond(seq, toRemoteError(err), null)
      },
    )
  }

  private respond(seq: number, error: RemoteError | null, body: unknown): void {
    this.calls.delete(seq)
    this.inFlight--
    this.o.counters.callsInFlight--
    this.o.counters.calls++
    // The caller is gone; its answer has nowhere to go.
    if (this.closed) return
    let frame: Buffer
    try {
      frame = this.o.codec.encodeResponse(seq, error, body)
    } catch (e) {
      // The handler returned something msgpack cannot carry (a function, a bigint): the
      // caller gets an error instead of waiting for its timeout.
      this.o.counters.errors++
      frame = this.o.codec.encodeResponse(seq, {Error: `rpc: cannot encode reply: ${(e as Error).message}`, Code: 'encode'}, null)
    }
    this.write(frame)
    this.pump()
  }

  /** A frame we cannot read: close this connection only. Other connections are unaffected. */
  private reject(why: string): void {
    this.o.counters.framesRejected++
    this.o.log.warn('closing RPC connection: bad frame', {remote: this.o.remote, error: why})
    this.closed = true
    this.sock.destroy()
  }
}

function toRemoteError(err: unknown): RemoteError {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as {code?: unknown} | null)?.code
  return typeof code === 'string' ? {Error: message, Code: code} : {Error: message}
}
