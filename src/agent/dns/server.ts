/**
 * The socket adapter: UDP and TCP listeners on one port, feeding the packet
 * handler and forwarding to recursors when it asks to. All DNS logic lives in
 * handler.ts and below; this file only moves bytes.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type {Logger, Random} from '../env/types.js'
import type {DnsCatalog} from './catalog-port.js'
import type {DnsConfig} from './config.js'
import type {DnsPreparedQuery} from './query-port.js'
import {createDnsHandler, type DnsHandler, type Network} from './handler.js'
import {createSocketRecursorTransport, forwardToRecursors, type RecursorTransport} from './recursor.js'

export interface DnsServerOptions {
  /** Bind address (the agent's -client address). */
  host: string
  /** 0 = ephemeral (UDP and TCP share it), -1 = DNS off. */
  port: number
  config: DnsConfig
  catalog: DnsCatalog
  random: Random
  log: Logger
  /** Upstream exchange for recursors; defaults to real UDP/TCP sockets. */
  recursorTransport?: RecursorTransport
  /** Wall clock for SOA serials; defaults to Date.now. */
  wallMs?: () => number
  /** Close idle TCP connections after this long (default 8s, as miekg/dns). */
  tcpIdleTimeoutMs?: number
  /** Runs prepared queries (`<name>.query.<domain>`) through the RPC seam. */
  preparedQuery?: DnsPreparedQuery
}

export interface DnsServer {
  /** The bound port (-1 when DNS is off). */
  port: number
  handler: DnsHandler
  close(): Promise<void>
}

const EPHEMERAL_BIND_ATTEMPTS = 10

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const handler = createDnsHandler({
    config: opts.config,
    catalog: opts.catalog,
    random: opts.random,
    wallMs: opts.wallMs ?? (() => Date.now()),
    onError: (err) => opts.log.error('DNS answer failed', {error: err instanceof Error ? err.message : String(err)}),
    preparedQuery: opts.preparedQuery,
  })
  if (opts.port < 0) return {port: -1, handler, close: async () => {}}
  const transport = opts.recursorTransport ?? createSocketRecursorTransport()
  const forward = (query: Buffer, network: Network) =>
    forwardToRecursors(query, network, {config: opts.config, transport, random: opts.random, log: opts.log})
  let closed = false

  // No per-datagram send callback (a closure and a callback on the hottest path): Node then
  // drops a failed send silently, which to the client is one more lost datagram to retry.
  const onUdp = (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const pending = opts.catalog.prefetch?.(msg)
    if (pending) void pending.then(() => answerUdp(udp, msg, rinfo))
    else answerUdp(udp, msg, rinfo)
  }
  const answerUdp = (udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (closed) return
    const r = handler.handle(msg, 'udp', rinfo.address)
    if (r.kind === 'reply') {
      if (!closed) udp.send(r.bytes, rinfo.port, rinfo.address)
    } else if (r.kind === 'pending') {
      void r.reply.then((bytes) => {
        if (!closed) udp.send(bytes, rinfo.port, rinfo.address)
      })
    } else if (r.kind === 'recurse') {
      void forward(msg, 'udp').then((resp) => {
        if (!closed) udp.send(resp ?? r.failure, rinfo.port, rinfo.address)
      })
    }
  }

  const sockets = new Set<net.Socket>()
  const onTcp = (sock: net.Socket) => {
    sockets.add(sock)
    sock.setNoDelay(true)
    sock.setTimeout(opts.tcpIdleTimeoutMs ?? 8000, () => sock.destroy())
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', (err) => opts.log.debug('DNS TCP connection error', {error: err.message}))
    const write = (bytes: Buffer) => {
      if (sock.destroyed) return
      const len = Buffer.allocUnsafe(2)
      len.writeUInt16BE(bytes.length)
      sock.write(Buffer.concat([len, bytes]))
    }
    let buf: Buffer = Buffer.alloc(0)
    sock.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0)
        if (buf.length < 2 + len) break
        const msg = buf.subarray(2, 2 + len)
        buf = buf.subarray(2 + len)
        const from = sock.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '')
        const answer = (m: Buffer) => {
          const r = handler.handle(m, 'tcp', from)
          if (r.kind === 'reply') write(r.bytes)
          else if (r.kind === 'pending') void r.reply.then(write)
          else if (r.kind === 'recurse') void forward(Buffer.from(m), 'tcp').then((resp) => write(resp ?? r.failure))
        }
        const pending = opts.catalog.prefetch?.(msg)
        if (pending) {
          const copy = Buffer.from(msg)
          void pending.then(() => answer(copy))
        } else answer(msg)
      }
    })
  }

  const {udp, tcp, port} = await bindBoth(opts.host, opts.port, onUdp, onTcp)
  const hostPort = opts.host.includes(':') ? `[${opts.host}]:${port}` : `${opts.host}:${port}`
  opts.log.info(`DNS server listening on ${hostPort}`, {network: 'udp+tcp', domain: opts.config.domain})

  return {
    port,
    handler,
    close: async () => {
      if (closed) return
      closed = true
      for (const s of sockets) s.destroy()
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ])
    },
  }
}

/** UDP and TCP on the same port; for port 0 retry when the UDP-picked port is taken for TCP. */
async function bindBoth(
  host: string, port: number,
  onUdp: (s: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  onTcp: (s: net.Socket) => void,
): Promise<{udp: dgram.Socket; tcp: net.Server; port: number}> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket({type: net.isIPv6(host) ? 'udp6' : 'udp4'})
    udp.on('message', onUdp(udp))
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(port, host, () => {
        udp.off('error', reject)
        resolve()
      })
    })
    udp.on('error', () => {}) // per-datagram errors (ICMP unreachable) must not kill the listener
    const bound = udp.address().port
    const tcp = net.createServer(onTcp)
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen({host, port: bound}, () => {
          tcp.off('error', reject)
          resolve()
        })
      })
      return {udp, tcp, port: bound}
    } catch (err) {
      await new Promise<void>((resolve) => udp.close(() => resolve()))
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      if (port !== 0 || !inUse || attempt >= EPHEMERAL_BIND_ATTEMPTS) throw err
    }
  }
}
