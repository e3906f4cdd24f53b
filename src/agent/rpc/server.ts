import * as net from 'node:net'
import type {Logger} from '../env/types.js'
import {formatPeer, normalizeIp} from './addr.js'
import {createCodec} from './codec.js'
import {DEFAULT_MAX_FRAME_BYTES, RpcType} from './protocol.js'
import {type RpcHandler, ServerConn, type ServerCounters} from './server-conn.js'

export type {RpcCallInfo, RpcHandler} from './server-conn.js'

export interface RpcServerOptions {
  bindIp: string
  /** 0 = ephemeral. */
  port: number
  log: Logger
  handler: RpcHandler
  /** Consul's limits.rpc_max_conns_per_client: open connections per source IP (default 100; 0 = no limit). */
  maxConnsPerClient?: number
  /**
   * Consul's limits.rpc_handshake_timeout (default 5000 ms): a connection must send its
   * protocol byte, and for dc's RPC protocol its first complete frame, within this time.
   */
  handshakeTimeoutMs?: number
  /** Largest request frame accepted (default 8 MiB); a bigger one closes that connection only. */
  maxFrameBytes?: number
  /**
   * Concurrent calls per connection (default 4096); past it the connection is not read until
   * one finishes. A client agent sends all its calls over one connection, parked blocking
   * queries included (each holds a slot for its whole wait), so this is a memory bound
   * against a misbehaving peer, set well above what a busy client agent keeps in flight.
   */
  maxInFlightPerConn?: number
}

/**
 * Takes over a connection whose first byte selected this protocol. `rest` holds the bytes
 * that arrived after the type byte in the same read (possibly none). The handler must
 * attach its 'data' listener synchronously: the socket keeps flowing. From then on the
 * handler owns the socket (timeouts, errors); the server still counts it against the
 * client's connection limit and destroys it on close().
 */
export type ProtocolHandler = (socket: net.Socket, rest: Buffer) => void

export interface RpcServer {
  readonly port: number
  /** Routes connections whose first byte is `type` (e.g. RpcType.Raft) to `handler`. */
  onProtocol(type: number, handler: ProtocolHandler): void
  /** Stops accepting, destroys every open connection (in-flight answers are dropped), resolves when closed. */
  close(): Promise<void>
  stats(): Record<string, number>
}

const DEFAULTS = {maxConnsPerClient: 100, handshakeTimeoutMs: 5000, maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxInFlightPerConn: 4096}

/** The server RPC listener (Consul's 8300): the first byte of each connection picks its protocol. */
export async function startRpcServer(o: RpcServerOptions): Promise<RpcServer> {
  const opts = {...DEFAULTS, ...withoutUndefined(o)}
  const log = o.log
  const codec = createCodec(opts.maxFrameBytes)
  const protocols = new Map<number, ProtocolHandler>()
  const sockets = new Set<net.Socket>()
  const perIp = new Map<string, number>()
  const counters: ServerCounters = {calls: 0, callsInFlight: 0, errors: 0, framesRejected: 0, pausesInFlight: 0, pausesWriteBuffer: 0}
  const connCounters = {connsAccepted: 0, connsRejected: 0, handshakeTimeouts: 0, unknownProtocol: 0}

  const server = net.createServer({noDelay: true})

  server.on('connection', (sock) => {
    const ip = sock.remoteAddress ? normalizeIp(sock.remoteAddress) : undefined
    if (!ip) {
      sock.destroy()
      return
    }
    const remote = formatPeer(ip, sock.remotePort)
    const n = perIp.get(ip) ?? 0
    if (opts.maxConnsPerClient > 0 && n >= opts.maxConnsPerClient) {
      // As Consul does: refuse at accept, before reading a byte, and say which limit.
      connCounters.connsRejected++
      log.warn('rejecting RPC connection: rpc_max_conns_per_client exceeded', {remote, limit: opts.maxConnsPerClient})
      sock.destroy()
      return
    }
    perIp.set(ip, n + 1)
    sockets.add(sock)
    connCounters.connsAccepted++
    sock.on('close', () => {
      sockets.delete(sock)
      const left = (perIp.get(ip) ?? 1) - 1
      if (left > 0) perIp.set(ip, left)
      else perIp.delete(ip)
    })
    sock.on('error', (e) => log.debug('RPC connection error', {remote, error: e.message}))
    // Detects peers that vanished without a FIN (crashed machine), so their slot frees up.
    sock.setKeepAlive(true, 30_000)

    const handshake = setTimeout(() => {
      connCounters.handshakeTimeouts++
      log.warn('closing RPC connection: handshake timeout', {remote, timeoutMs: opts.handshakeTimeoutMs})
      sock.destroy()
    }, opts.handshakeTimeoutMs)
    handshake.unref()
    sock.once('close', () => clearTimeout(handshake))

    sock.once('data', (first: Buffer) => {
      const type = first[0]
      const rest = first.subarray(1)
      if (type === RpcType.DcMux) {
        const conn = new ServerConn(sock, {
          codec, handler: o.handler, maxFrameBytes: opts.maxFrameBytes, maxInFlight: opts.maxInFlightPerConn,
          counters, log, remote, onFirstFrame: () => clearTimeout(handshake),
        })
        conn.feed(rest)
        return
      }
      const h = protocols.get(type)
      if (h) {
        clearTimeout(handshake)
        h(sock, rest)
        return
      }
      connCounters.unknownProtocol++
      log.warn('closing RPC connection: unrecognized protocol byte', {remote, byte: type})
      sock.destroy()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: o.bindIp, port: o.port}, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (e) => log.error('RPC listener error', {error: e.message}))
  const port = (server.address() as net.AddressInfo).port
  log.info('RPC server listening', {address: formatPeer(o.bindIp, port)})

  return {
    port,
    onProtocol(type, handler) {
      if (type === RpcType.DcMux) throw new Error(`protocol byte ${type} is dc's own RPC protocol`)
      protocols.set(type, handler)
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
    },
    stats: () => ({conns: sockets.size, ...connCounters, ...counters}),
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
