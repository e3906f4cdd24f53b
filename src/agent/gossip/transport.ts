import {createSocket, type Socket} from 'node:dgram'
import {connect, createServer, type Server, type Socket as TcpSocket} from 'node:net'
import {ShortRead} from './codec.js'
import type {Addr} from './memberlist/messages.js'
import {MAX_STREAM_BYTES, openPacket, readStream, sealPacket, sealStream, type Crypto, type StreamMsg} from './memberlist/wire.js'
import {encryptedLength} from './memberlist/security.js'
import type {MemberlistTransport} from './memberlist/memberlist.js'
import type {Logger} from '../env/types.js'

export interface GossipSocketOptions {
  bindIp: string
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number
  log: Logger
  crypto: () => Crypto | undefined
  /** Idle limit for an incoming stream. */
  tcpTimeoutMs: number
  /** serf_*_allowed_cidrs: packets and streams from elsewhere are dropped and counted. */
  allowed?: (ip: string) => boolean
  /** memberlist's EnableCompression (on by default): LZW-compress what is sent. */
  compress?: boolean
}

export interface GossipSocketHandlers {
  onPacket(buf: Uint8Array, from: Addr): void
  onStream(msg: StreamMsg, from: Addr): Uint8Array | undefined
}

export interface GossipSocket extends MemberlistTransport {
  port: number
  counters: {packetsIn: number; packetsOut: number; bytesIn: number; bytesOut: number; packetsRejected: number; streamsRejected: number}
  close(): Promise<void>
}

/**
 * memberlist's NetTransport: one UDP socket and one TCP listener on the same port of
 * the bind address, and every outgoing packet and connection leaves from that
 * address, so several agents can share a host on 127.0.0.1, .2, .3 with default ports.
 */
export async function openGossipSocket(o: GossipSocketOptions, h: GossipSocketHandlers): Promise<GossipSocket> {
  const counters = {packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, packetsRejected: 0, streamsRejected: 0}
  const conns = new Set<TcpSocket>()
  const family = o.bindIp.includes(':') ? 'udp6' : 'udp4'
  let tcp!: Server
  let udp!: Socket
  for (let attempt = 0; ; attempt++) {
    tcp = createServer((c) => incoming(c))
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen({host: o.bindIp, port: o.port, exclusive: true}, () => resolve())
    })
    const port = (tcp.address() as {port: number}).port
    udp = createSocket({type: family, reuseAddr: false})
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind({address: o.bindIp, port, exclusive: true}, () => resolve())
      })
      break
    } catch (e) {
      tcp.close()
      udp.close()
      // An ephemeral TCP port may be taken on UDP: pick another.
      if (o.port !== 0 || attempt > 10) throw e
    }
  }
  const port = (tcp.address() as {port: number}).port
  udp.on('error', (e) => o.log.warn('gossip UDP socket error', {error: String(e)}))
  udp.on('message', (buf, rinfo) => {
    counters.packetsIn++
    counters.bytesIn += buf.length
    const from = {ip: rinfo.address, port: rinfo.port}
    if (o.allowed && !o.allowed(from.ip)) {
      counters.packetsRejected++
      return
    }
    let plain: Uint8Array
    try {
      plain = openPacket(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), o.crypto())
    } catch (e) {
      counters.packetsRejected++
      o.log.debug('dropped a gossip packet', {from: `${from.ip}:${from.port}`, error: (e as Error).message})
      return
    }
    h.onPacket(plain, from)
  })

  function incoming(c: TcpSocket): void {
    conns.add(c)
    c.on('close', () => conns.delete(c))
    c.on('error', () => c.destroy())
    c.setTimeout(o.tcpTimeoutMs, () => {
      counters.streamsRejected++
      c.destroy()
    })
    const from = {ip: c.remoteAddress ?? '', port: c.remotePort ?? 0}
    if (o.allowed && !o.allowed(from.ip)) {
      counters.streamsRejected++
      c.destroy()
      return
    }
    readOne(c, o.crypto, (msg) => {
      let reply: Uint8Array | undefined
      try {
        reply = h.onStream(msg, from)
      } catch (e) {
        counters.streamsRejected++
        o.log.debug('dropped a gossip stream', {from: `${from.ip}:${from.port}`, error: (e as Error).message})
      }
      if (reply) c.end(sealStream(reply, o.crypto(), o.compress))
      else c.end()
    }, (e) => {
      counters.streamsRejected++
      o.log.debug('dropped a gossip stream', {from: `${from.ip}:${from.port}`, error: e.message})
      c.destroy()
    })
  }

  return {
    port,
    counters,
    sendPacket(to, msg, crc) {
      const out = sealPacket(msg, crc, o.crypto(), o.compress)
      counters.packetsOut++
      counters.bytesOut += out.length
      udp.send(out, to.port, to.ip, (e) => {
        if (e) o.log.debug('gossip send failed', {to: `${to.ip}:${to.port}`, error: String(e)})
      })
    },
    packetOverhead() {
      const c = o.crypto()
      return c && c.keys.length && c.encryptOutgoing ? encryptedLength(0) : 0
    },
    stream(to, msg, expectReply, timeoutMs) {
      return new Promise<StreamMsg | undefined>((resolve, reject) => {
        const local = o.bindIp === '0.0.0.0' || o.bindIp === '::' ? undefined : o.bindIp
        const c = connect({host: to.ip, port: to.port, localAddress: local})
        conns.add(c)
        let settled = false
        const finish = (err: Error | undefined, v?: StreamMsg) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          c.destroy()
          if (err) reject(err)
          else resolve(v)
        }
        const timer = setTimeout(() => finish(new Error(`i/o timeout after ${timeoutMs}ms`)), timeoutMs)
        c.on('close', () => {
          conns.delete(c)
          finish(expectReply ? new Error('connection closed before a reply') : undefined)
        })
        c.on('error', (e) => finish(e))
        c.on('connect', () => {
          c.write(sealStream(msg, o.crypto(), o.compress))
          if (!expectReply) c.end()
        })
        if (expectReply) readOne(c, o.crypto, (m) => finish(undefined, m), (e) => finish(e))
      })
    },
    async close() {
      for (const c of conns) c.destroy()
      await new Promise<void>((r) => tcp.close(() => r()))
      await new Promise<void>((r) => udp.close(() => r()))
    },
  }
}

/** Buffers a stream until one whole memberlist message has arrived. */
function readOne(c: TcpSocket, crypto: () => Crypto | undefined, ok: (m: StreamMsg) => void, fail: (e: Error) => void): void {
  let buf = new Uint8Array(0)
  let done = false
  c.on('end', () => {
    if (done) return
    done = true
    fail(new Error(buf.length ? 'stream closed before a whole message arrived' : 'stream closed without a message'))
  })
  c.on('data', (d: Buffer) => {
    if (done) return
    const next = new Uint8Array(buf.length + d.length)
    next.set(buf)
    next.set(d, buf.length)
    buf = next
    if (buf.length > MAX_STREAM_BYTES + 64) {
      done = true
      return fail(new Error('stream larger than the push/pull limit'))
    }
    try {
      const m = readStream(buf, crypto())
      done = true
      ok(m)
    } catch (e) {
      if (e instanceof ShortRead) return
      done = true
      fail(e as Error)
    }
  })
}
