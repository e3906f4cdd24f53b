/**
 * Forwarding of names outside the DNS domain to the configured recursors, as
 * Consul's handleRecurse: try each recursor (in order, or a random permutation
 * with recursor_strategy=random) with recursor_timeout each; a SERVFAIL/REFUSED
 * style answer moves on to the next one; the first NOERROR/NXDOMAIN answer
 * (truncated or not) is relayed to the client unchanged.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type {Logger, Random} from '../env/types.js'
import type {DnsConfig, DnsRecursor} from './config.js'
import {Rcode} from './protocol.js'
import {shuffled} from './render.js'

export type RecursorNetwork = 'udp' | 'tcp'

/** One request/response exchange with an upstream resolver. */
export interface RecursorTransport {
  /** Resolve with the raw response, reject on a socket error or after timeoutMs. */
  exchange(query: Buffer, to: DnsRecursor, network: RecursorNetwork, timeoutMs: number): Promise<Buffer>
}

export interface ForwardDeps {
  config: Pick<DnsConfig, 'recursors' | 'recursorTimeoutMs' | 'recursorStrategy'>
  transport: RecursorTransport
  random: Pick<Random, 'int'>
  log?: Logger
}

/** The recursor order for one query: configured order, or a fresh permutation for "random". */
export function recursorOrder(deps: Pick<ForwardDeps, 'config' | 'random'>): DnsRecursor[] {
  const list = deps.config.recursors
  return deps.config.recursorStrategy === 'random' ? shuffled(list, deps.random.int) : list.slice()
}

/** The first acceptable upstream answer, or undefined when every recursor failed. */
export async function forwardToRecursors(query: Buffer, network: RecursorNetwork, deps: ForwardDeps): Promise<Buffer | undefined> {
  const id = query.readUInt16BE(0)
  for (const r of recursorOrder(deps)) {
    const where = formatRecursor(r)
    try {
      const resp = await deps.transport.exchange(query, r, network, deps.config.recursorTimeoutMs)
      if (resp.length < 12 || resp.readUInt16BE(0) !== id || (resp[2] & 0x80) === 0) {
        deps.log?.debug('recurse got a malformed answer', {recursor: where})
        continue
      }
      const rcode = resp[3] & 0xf
      if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) {
        deps.log?.debug('recurse failed for question', {recursor: where, rcode})
        continue
      }
      return resp
    } catch (err) {
      deps.log?.debug('recurse failed', {recursor: where, error: err instanceof Error ? err.message : String(err)})
    }
  }
  return undefined
}

export function formatRecursor(r: DnsRecursor): string {
  return r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`
}

/** The real transport over node:dgram / node:net. */
export function createSocketRecursorTransport(): RecursorTransport {
  return {
    exchange: (query, to, network, timeoutMs) =>
      network === 'udp' ? udpExchange(query, to, timeoutMs) : tcpExchange(query, to, timeoutMs),
  }
}

function udpExchange(query: Buffer, to: DnsRecursor, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(to.host) ? 'udp6' : 'udp4')
    const id = query.readUInt16BE(0)
    let done = false
    const finish = (err: Error | undefined, resp?: Buffer) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.close()
      if (err) reject(err)
      else resolve(resp!)
    }
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs)
    sock.on('error', (err) => finish(err))
    sock.on('message', (msg, rinfo) => {
      // Ignore strays: only the recursor's answer to this id counts.
      if (rinfo.port !== to.port || msg.length < 2 || msg.readUInt16BE(0) !== id) return
      finish(undefined, msg)
    })
    sock.send(query, to.port, to.host, (err) => { if (err) finish(err) })
  })
}

function tcpExchange(query: Buffer, to: DnsRecursor, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({host: to.host, port: to.port})
    let buf = Buffer.alloc(0)
    let done = false
    const finish = (err: Error | undefined, resp?: Buffer) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(resp!)
    }
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs)
    sock.on('error', (err) => finish(err))
    sock.on('connect', () => {
      const len = Buffer.alloc(2)
      len.writeUInt16BE(query.length)
      sock.write(Buffer.concat([len, query]))
    })
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)))
    })
    sock.on('close', () => finish(new Error('connection closed before an answer')))
  })
}
