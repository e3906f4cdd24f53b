import {batchedWriter} from './batched-write.js'
import * as net from 'node:net'
import type {Logger} from '../env/types.js'
import type {Codec} from './codec.js'
import {RpcError, type RpcErrorKind} from './error.js'
import {FrameReader} from './frame.js'
import {FRAME_HEADER_BYTES, RpcType} from './protocol.js'

interface Pending {
  resolve(v: unknown): void
  reject(e: RpcError): void
  method: string
  timeoutMs: number
  /** performance.now() past which the call times out; Infinity = never. */
  deadline: number
}

export interface ClientConnOptions {
  host: string
  port: number
  addr: string
  bindIp?: string
  connectTimeoutMs: number
  idleMs: number
  codec: Codec
  /** Largest response frame accepted. */
  maxFrameBytes: number
  /** Largest request frame sent; a bigger call fails locally instead of making the server drop the connection. */
  maxRequestBytes: number
  log: Logger
  /** Called once when this connection can take no more calls (closed, broken or idle). */
  onGone(conn: ClientConn): void
}

/** Node's setTimeout fires at once for delays above 2^31-1 ms; longer waits are capped (24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * One multiplexed connection to one server: calls get sequence numbers, many are in
 * flight at once, answers are matched by sequence number in whatever order they come.
 * A connection that breaks fails all its calls and is never reused.
 */
export class ClientConn {
  private readonly sock: net.Socket
  private readonly reader: FrameReader
  private readonly pending = new Map<number, Pending>()
  private seq = 0
  private connected = false
  private lastError?: Error
  private connectTimer?: NodeJS.Timeout
  private idleTimer?: NodeJS.Timeout
  /** One timer per connection, armed for the earliest deadline among the calls in flight. */
  private deadlineTimer?: NodeJS.Timeout
  private timerAt = Infinity
  /** Set once no new call may use this connection. */
  gone = false
  readonly closedPromise: Promise<void>

  private readonly write: (frame: Buffer) => void

  constructor(private readonly o: ClientConnOptions) {
    this.reader = new FrameReader(o.maxFrameBytes)
    // A wildcard -bind (0.0.0.0, ::) names no source address: let the kernel pick one.
    const localAddress = o.bindIp && !['0.0.0.0', '::', '[::]'].includes(o.bindIp) ? o.bindIp : undefined
    this.sock = net.connect({host: o.host, port: o.port, localAddress, noDelay: true})
    this.write = batchedWriter(this.sock, 'loop')
    this.closedPromise = new Promise((resolve) => this.sock.once('close', () => resolve()))
    // Buffered by the socket until connected; then sent ahead of the first request.
    this.sock.write(Buffer.of(RpcType.DcMux))
    this.connectTimer = setTimeout(() => {
      this.lastError = new Error(`timed out after ${o.connectTimeoutMs} ms`)
      this.sock.destroy()
    }, o.connectTimeoutMs)
    this.sock.once('connect', () => {
      this.connected = true
      clearTimeout(this.connectTimer)
      this.sock.setKeepAlive(true, 30_000)
    })
    this.sock.on('data', (c: Buffer) => this.onData(c))
    this.sock.on('error', (e) => {
      this.lastError = e
    })
    this.sock.on('close', () => {
      clearTimeout(this.connectTimer)
      const why = this.lastError?.message ?? 'connection closed by the server'
      if (this.connected) this.failAll('closed', `rpc ${o.addr}: connection lost: ${why}`, true)
      else this.failAll('connect', `rpc ${o.addr}: cannot connect: ${why}`, false)
    })
  }

  get inFlight(): number {
    return this.pending.size
  }

  call(method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.gone) return Promise.reject(new RpcError('closed', `rpc ${this.o.addr}: connection closed`, {maybeDelivered: false}))
    const seq = this.nextSeq()
    let frame: Buffer
    try {
      frame = this.o.codec.encodeRequest(seq, method, body)
    } catch (e) {
      return Promise.reject(new RpcError('protocol', `rpc ${method}: cannot encode request: ${(e as Error).message}`, {maybeDelivered: false}))
    }
    if (frame.length - FRAME_HEADER_BYTES > this.o.maxRequestBytes) {
      return Promise.reject(new RpcError('protocol', `rpc ${method}: request of ${frame.length - FRAME_HEADER_BYTES} bytes exceeds the limit of ${this.o.maxRequestBytes}`, {maybeDelivered: false}))
    }
    return new Promise((resolve, reject) => {
      const deadline = Number.isFinite(timeoutMs) ? performance.now() + Math.max(0, timeoutMs) : Infinity
      if (this.pending.size === 0) this.busy()
      this.pending.set(seq, {resolve, reject, method, timeoutMs, deadline})
      if (deadline < this.timerAt) this.armTimer(deadline)
      this.write(frame)
    })
  }

  /**
   * Arms the connection's one deadline timer (a timer per call cost a setTimeout and a
   * clearTimeout on every call). It may fire after the call it was armed for has already
   * answered; it then only re-arms for the earliest deadline left.
   */
  private armTimer(at: number): void {
    clearTimeout(this.deadlineTimer)
    this.timerAt = at
    this.deadlineTimer = at === Infinity ? undefined : setTimeout(() => this.expire(), Math.min(Math.max(0, at - performance.now()), MAX_TIMER_MS))
  }

  /** Times out every call whose deadline has passed; re-arms for the earliest one left. */
  private expire(): void {
    this.deadlineTimer = undefined
    this.timerAt = Infinity
    const now = performance.now()
    let next = Infinity
    for (const [seq, p] of this.pending) {
      if (p.deadline > now) {
        if (p.deadline < next) next = p.deadline
        continue
      }
      this.pending.delete(seq)
      // Tell the server, so a handler still waiting (a blocking query) can stop.
      if (this.connected && !this.gone) this.write(this.o.codec.encodeCancel(seq))
      // Still connecting: the request has not left this process.
      p.reject(new RpcError('timeout', `rpc ${p.method} to ${this.o.addr}: timed out after ${p.timeoutMs} ms`, {maybeDelivered: this.connected}))
    }
    if (next !== Infinity && !this.gone) this.armTimer(next)
    this.maybeIdle()
  }

  /** Fails every call in flight and closes the socket. */
  close(): void {
    this.failAll('closed', `rpc ${this.o.addr}: pool closed`, this.connected)
  }

  private nextSeq(): number {
    // Wraps at 2^32 (a msgpack uint32); a number still in flight after 4 billion calls is skipped.
    do this.seq = (this.seq + 1) % 0x1_0000_0000
    while (this.pending.has(this.seq))
    return this.seq
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk)
    for (;;) {
      let msg
      try {
        const frame = this.reader.next()
        if (!frame) return
        msg = this.o.codec.decode(frame)
      } catch (e) {
        return this.protocolError((e as Error).message)
      }
      if (msg.kind !== 'response') return this.protocolError(`the server sent a ${msg.kind} frame`)
      const p = this.pending.get(msg.seq)
      // Unknown: the call already timed out here; its late answer is dropped.
      if (!p) continue
      this.pending.delete(msg.seq)
      if (msg.error) p.reject(new RpcError('remote', msg.error.Error, {remoteCode: msg.error.Code}))
      else p.resolve(msg.body)
      this.maybeIdle()
    }
  }

  private protocolError(why: string): void {
    this.o.log.warn('closing RPC connection: bad frame from server', {addr: this.o.addr, error: why})
    this.failAll('protocol', `rpc ${this.o.addr}: bad response: ${why}`, true)
  }

  /** Calls in flight: keep the process alive for them, and don't close as idle. */
  private busy(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.sock.ref()
  }

  /** No calls in flight: an idle pooled connection must not keep the process alive. */
  private maybeIdle(): void {
    if (this.pending.size > 0 || this.gone) return
    // No deadline left to watch; an armed timer would keep the process alive.
    if (this.deadlineTimer) this.armTimer(Infinity)
    this.sock.unref()
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0) return
      this.markGone()
      this.sock.destroy()
    }, this.o.idleMs)
    this.idleTimer.unref()
  }

  private markGone(): void {
    if (this.gone) return
    this.gone = true
    this.o.onGone(this)
  }

  private failAll(kind: RpcErrorKind, message: string, maybeDelivered: boolean): void {
    this.markGone()
    clearTimeout(this.idleTimer)
    clearTimeout(this.connectTimer)
    clearTimeout(this.deadlineTimer)
    this.timerAt = Infinity
    const calls = [...this.pending.values()]
    this.pending.clear()
    for (const p of calls) {
      p.reject(new RpcError(kind, message, {maybeDelivered}))
    }
    this.sock.destroy()
  }
}
