/**
 * The socket-free packet handler: bytes in → a reply, a drop, or "forward to
 * the recursors". Never throws. Validation follows miekg/dns (which Consul
 * uses): runts and responses are dropped, other opcodes get NOTIMP, more than
 * one question or malformed sections get a header-only FORMERR.
 *
 * Answers are cached per (question, catalog index): a hot name costs one map
 * lookup plus the per-query shuffle and encode until the catalog changes. An answer
 * whose rendering drew no random number (nothing to shuffle) and read no clock (no
 * SOA) depends only on the query's bytes after the ID and on the catalog index, so
 * its encoded bytes are cached too: a repeat of that query is answered by copying
 * them under the new ID, without decoding the query or encoding again.
 */
import dnsPacket from 'dns-packet'
import type {Random} from '../env/types.js'
import {resolvePreparedQuery, resolveQuestion, type Resolution} from './answer.js'
import type {DnsCatalog} from './catalog-port.js'
import type {DnsConfig} from './config.js'
import {parseQuestion} from './query.js'
import type {DnsPreparedQuery} from './query-port.js'
import {Opcode, Rcode, type Message, type Question} from './protocol.js'
import {renderResolution, type RenderRequest} from './render.js'
import {encodeMessage} from './wire.js'

export type Network = 'udp' | 'tcp'

export type HandleResult =
  | {kind: 'reply'; bytes: Buffer}
  | {kind: 'drop'}
  /** Forward the original packet to the recursors; answer `failure` if all of them fail. */
  | {kind: 'recurse'; id: number; failure: Buffer}
  /** A prepared query runs through RPC: send these bytes once they resolve. */
  | {kind: 'pending'; reply: Promise<Buffer>}

export interface DnsHandlerDeps {
  config: DnsConfig
  catalog: DnsCatalog
  random: Pick<Random, 'int'>
  /** Wall clock (ms) for SOA serials. */
  wallMs: () => number
  /** Called with unexpected internal errors (the query is answered SERVFAIL). */
  onError?: (err: unknown) => void
  /** Answer cache bound; default 4096 questions (and as many encoded answers). */
  cacheMaxEntries?: number
  /** Runs `<name>.query[.<dc>].<domain>` lookups; without it every query name is NXDOMAIN. */
  preparedQuery?: DnsPreparedQuery
}

export interface DnsHandler {
  handle(packet: Buffer, network: Network, remoteIp?: string): HandleResult
  /** Cached questions (for tests and metrics). */
  cacheSize(): number
  /** How many resolutions were computed (cache misses), for tests and metrics. */
  misses(): number
  /** How many queries were answered from the encoded-answer cache, for tests and metrics. */
  encodedHits(): number
}

interface Parsed {
  req: RenderRequest
}

export function createDnsHandler(deps: DnsHandlerDeps): DnsHandler {
  const {config, catalog} = deps
  const maxEntries = deps.cacheMaxEntries ?? 4096
  const cache = new Map<string, {index: number; res: Resolution}>()
  // Keyed by network + the query's bytes after the ID (flags, question, EDNS: everything
  // the answer depends on besides the catalog).
  const encoded = new Map<string, {index: number; bytes: Buffer}>()
  let misses = 0
  let encodedHits = 0

  const resolve = (q: Question): Resolution => {
    const key = `${q.type}|${q.name}`
    const index = catalog.index()
    const hit = cache.get(key)
    if (hit && hit.index === index) return hit.res
    misses++
    const res = resolveQuestion({name: q.name, qtype: q.type}, catalog, config)
    if (res.cacheable) {
      if (!hit && cache.size >= maxEntries) cache.delete(cache.keys().next().value!)
      cache.set(key, {index, res})
    }
    return res
  }

  const handle = (packet: Buffer, network: Network, remoteIp = ''): HandleResult => {
    if (packet.length < 12) return {kind: 'drop'}
    const id = packet.readUInt16BE(0)
    const flags = packet.readUInt16BE(2)
    if (flags & 0x8000) return {kind: 'drop'} // a response: answering could feed a loop
    const key = network + packet.toString('latin1', 2)
    const ready = encoded.get(key)
    if (ready && ready.index === catalog.index()) {
      encodedHits++
      // A fresh buffer per reply: the socket may still be sending the previous one.
      const bytes = Buffer.allocUnsafe(ready.bytes.length)
      ready.bytes.copy(bytes)
      bytes.writeUInt16BE(id, 0)
      return {kind: 'reply', bytes}
    }
    const opcode = (flags >> 11) & 0xf
    const rd = (flags & 0x100) !== 0
    const cd = (flags & 0x10) !== 0
    const headerOnly = (rcode: number): HandleResult => ({kind: 'reply', bytes: bareReply(id, opcode, rd, cd, rcode)})
    if (opcode !== Opcode.QUERY && opcode !== Opcode.NOTIFY) return headerOnly(Rcode.NOTIMP)
    const qd = packet.readUInt16BE(4)
    const an = packet.readUInt16BE(6)
    const ns = packet.readUInt16BE(8)
    const ar = packet.readUInt16BE(10)
    if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return headerOnly(Rcode.FORMERR)
    let parsed: Parsed
    try {
      parsed = parse(packet, network, {id, opcode, rd, cd})
    } catch {
      return headerOnly(Rcode.FORMERR)
    }
    const render = (res: Resolution): Buffer => renderResolution(res, parsed.req, {
      cfg: config, randomInt: (n) => deps.random.int(n), get wallMs() {
        return deps.wallMs()
      },
    })
    const servfail = (err: unknown): Buffer => {
      deps.onError?.(err)
      return bareReply(id, opcode, rd, cd, Rcode.SERVFAIL, parsed.req.question)
    }
    const q = parsed.req.question
    const plan = deps.preparedQuery ? parseQuestion(q.name, q.type, config) : undefined
    if (plan?.kind === 'query') {
      // Never cached: Execute shuffles (or sorts near the client) and may fail over.
      const reply = deps.preparedQuery!({dc: plan.dc, idOrName: plan.query, sourceIp: remoteIp})
        .then((result) => render(resolvePreparedQuery(plan, {name: q.name, qtype: q.type}, result, catalog, config)))
        .catch(servfail)
      return {kind: 'pending', reply}
    }
    try {
      const index = catalog.index()
      const res = resolve(parsed.req.question)
      if (res.recurse) return {kind: 'recurse', id, failure: recursionFailure(parsed.req)}
      let varies = false
      const bytes = renderResolution(res, parsed.req, {
        cfg: config,
        randomInt: (n) => {
          varies = true
          return deps.random.int(n)
        },
        // A getter, so a render that never reads the clock (no SOA) is known to be repeatable.
        get wallMs() {
          varies = true
          return deps.wallMs()
        },
      })
      if (!varies && res.cacheable) {
        if (!encoded.has(key) && encoded.size >= maxEntries) encoded.delete(encoded.keys().next().value!)
        encoded.set(key, {index, bytes: Buffer.from(bytes)})
      }
      return {kind: 'reply', bytes}
    } catch (err) {
      deps.onError?.(err)
      return {kind: 'reply', bytes: bareReply(id, opcode, rd, cd, Rcode.SERVFAIL, parsed.req.question)}
    }
  }

  return {handle, cacheSize: () => cache.size, misses: () => misses, encodedHits: () => encodedHits}
}

function parse(packet: Buffer, network: Network, h: {id: number; opcode: number; rd: boolean; cd: boolean}): Parsed {
  const decoded = dnsPacket.decode(packet)
  const q = decoded.questions?.[0]
  if (!q || typeof q.name !== 'string') throw new Error('no question')
  // dns-packet renders type/class as names; read the numbers from the wire instead.
  const at = questionTypeOffset(packet)
  const question: Question = {name: q.name === '.' ? '' : q.name, type: packet.readUInt16BE(at), class: packet.readUInt16BE(at + 2)}
  const opt = decoded.additionals?.find((a) => a.type === 'OPT')
  const edns = opt && 'udpPayloadSize' in opt ? {udpSize: opt.udpPayloadSize} : undefined
  return {req: {...h, question, edns, network}}
}

/** Offset of QTYPE in the first question (the packet already decoded, so it is in bounds). */
export function questionTypeOffset(buf: Buffer): number {
  let off = 12
  for (;;) {
    const len = buf[off]
    if (len === 0) return off + 1
    if ((len & 0xc0) === 0xc0) return off + 2
    off += 1 + len
  }
}

/** Consul's answer when every recursor failed: SERVFAIL with RA set (and OPT when asked). */
function recursionFailure(req: RenderRequest): Buffer {
  const msg: Message = {
    id: req.id, opcode: req.opcode, aa: false, tc: false, rd: req.rd, ra: true, cd: req.cd, rcode: Rcode.SERVFAIL,
    question: req.question, answers: [], authorities: [], additionals: [], edns: req.edns,
  }
  try {
    return encodeMessage(msg, {compress: true})!
  } catch {
    return encodeMessage({...msg, question: undefined}, {compress: true})!
  }
}

function bareReply(id: number, opcode: number, rd: boolean, cd: boolean, rcode: number, question?: Question): Buffer {
  const msg: Message = {
    id, opcode, aa: false, tc: false, rd, ra: false, cd, rcode, question, answers: [], authorities: [], additionals: [],
  }
  try {
    return encodeMessage(msg, {compress: true})!
  } catch {
    // The question itself cannot be re-encoded (odd labels): answer without it.
    return encodeMessage({...msg, question: undefined}, {compress: true})!
  }
}
