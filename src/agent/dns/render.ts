/**
 * Pure per-query half of an answer: shuffle the cached groups, apply limits,
 * stamp the SOA serial, trim to the transport's size and encode. Trimming
 * follows Consul (trimUDPResponse / trimTCPResponse), except that TCP answers
 * are not cut to an arbitrary record count: they carry as many records as one
 * 64 KiB message can hold.
 */
import type {Group, Resolution} from './answer.js'
import type {DnsConfig} from './config.js'
import type {Message, Question, Rr} from './protocol.js'
import {MAX_MESSAGE_BYTES, encodeMessage, encodedSize} from './wire.js'

/** Plain DNS over UDP (RFC 1035). */
export const DEFAULT_UDP_SIZE = 512
/** Consul's maxUDPDatagramSize: larger EDNS sizes are clamped to this. */
export const MAX_UDP_SIZE = 65535 - 68
/** Consul's cap on the answer count of plain 512-byte UDP answers. */
const MAX_UDP_ANSWER_LIMIT = 8

export interface RenderRequest {
  id: number
  opcode: number
  rd: boolean
  cd: boolean
  question: Question
  /** The client's EDNS0 UDP size when its query carried an OPT record. */
  edns?: {udpSize: number}
  network: 'udp' | 'tcp'
}

export interface RenderContext {
  cfg: DnsConfig
  /** Uniform integer in [0, n). */
  randomInt(n: number): number
  /** Wall-clock ms, for the SOA serial (Unix seconds, as Consul). */
  wallMs: number
}

/** Builds the message holding the first `k` groups, with or without the authority section. */
type Build = (k: number, withAuthority: boolean) => Message

export function renderResolution(res: Resolution, req: RenderRequest, ctx: RenderContext): Buffer {
  const all = res.groups
  const total = res.groupLimit > 0 ? Math.min(all.length, res.groupLimit) : all.length
  // Only as many groups as the message could possibly hold are drawn (and shuffled).
  const m = Math.min(total, res.trim ? capacity(res, req, ctx.cfg) : total)
  const gs = res.shuffle && all.length > 1 ? sample(all, m, ctx.randomInt) : all.slice(0, m)
  const soa = res.soa ? soaRecord(res.soaDomain, ctx) : undefined
  const build: Build = (k, withAuthority) => {
    const answers: Rr[] = []
    const authorities: Rr[] = []
    if (soa && res.soa === 'answer') answers.push(soa)
    for (const rr of res.answers) answers.push(rr)
    if (withAuthority && soa && res.soa === 'authority') authorities.push(soa)
    if (res.groupSection === 'answer' || withAuthority) {
      const target = res.groupSection === 'answer' ? answers : authorities
      for (let i = 0; i < k; i++) for (const rr of gs[i].answers) target.push(rr)
    }
    return {
      id: req.id, opcode: req.opcode, aa: res.aa, tc: false, rd: req.rd, ra: ctx.cfg.recursors.length > 0,
      cd: req.cd, rcode: res.rcode, question: req.question, answers, authorities,
      additionals: extrasOf(res, gs, k), edns: req.edns ? {udpSize: req.edns.udpSize} : undefined,
    }
  }
  const compress = !ctx.cfg.disableCompression
  if (!res.trim) return encodeOrShrink(build(gs.length, true), compress)
  const {k, withAuthority} = fitToSize(gs, build, req, ctx.cfg, compress)
  const msg = build(k, withAuthority)
  msg.tc = ctx.cfg.enableTruncate && k < total
  return encodeOrShrink(msg, compress)
}

/** The transport's byte limit, and for plain 512-byte UDP Consul's answer cap. */
function limits(req: RenderRequest, cfg: DnsConfig): {maxSize: number; maxAnswers?: number} {
  if (req.network === 'tcp') return {maxSize: MAX_MESSAGE_BYTES}
  const maxSize = Math.min(Math.max(DEFAULT_UDP_SIZE, req.edns?.udpSize ?? 0), MAX_UDP_SIZE)
  // Consul keeps 8 bytes for the UDP header.
  if (maxSize !== DEFAULT_UDP_SIZE) return {maxSize: maxSize - 8}
  return {maxSize: maxSize - 8, maxAnswers: Math.min(MAX_UDP_ANSWER_LIMIT, cfg.udpAnswerLimit)}
}

/** An upper bound on the groups one response can carry (every group has at least one answer). */
function capacity(res: Resolution, req: RenderRequest, cfg: DnsConfig): number {
  const {maxSize, maxAnswers} = limits(req, cfg)
  const bySize = Math.floor(maxSize / res.minGroupBytes) + 1
  return maxAnswers === undefined ? bySize : Math.min(bySize, Math.max(1, maxAnswers))
}

/** How many groups to send, and whether the authority section stays, for the transport's size. */
function fitToSize(
  gs: readonly Group[], build: Build, req: RenderRequest, cfg: DnsConfig, compress: boolean,
): {k: number; withAuthority: boolean} {
  let n = gs.length
  let sizeCompressed = compress
  const {maxSize, maxAnswers} = limits(req, cfg)
  if (maxAnswers !== undefined && build(n, true).answers.length > maxAnswers) {
    n = groupsWithin(gs, maxAnswers)
    // Consul sizes these uncompressed, so they still fit if something decompresses them.
    sizeCompressed = false
  }
  const size = (k: number, withAuthority: boolean) =>
    encodedSize(build(k, withAuthority), {compress: sizeCompressed, capBytes: 2 * maxSize})
  // minBytes bounds from below what groups add, so hopeless sizes are never encoded.
  const growth = gs.slice(0, n).map((g) => g.minBytes ?? 1)
  const fits = (k: number, withAuthority: boolean, base: number): boolean => {
    let lower = base
    for (let i = 0; i < k && lower <= maxSize; i++) lower += growth[i]
    if (lower > maxSize) return false
    const s = size(k, withAuthority)
    return s !== undefined && s <= maxSize
  }
  const empty = build(0, true)
  const base = size(0, true) ?? Infinity
  if (fits(n, true, base)) return {k: n, withAuthority: true}
  // Like Consul: a single answer is sent even if too big; else drop the authority, then groups.
  if (build(n, true).answers.length <= 1) return {k: n, withAuthority: true}
  const baseNoAuthority = empty.authorities.length > 0 ? size(0, false) ?? Infinity : base
  if (empty.authorities.length > 0 && fits(n, false, baseNoAuthority)) return {k: n, withAuthority: false}
  const k = largestFitting(growth, (x) => size(x, false), maxSize, baseNoAuthority)
  return {k: Math.max(1, k), withAuthority: false}
}

/**
 * The most leading groups whose message fits in `limit` bytes, given the size
 * with none (`s0`) and a lower bound on what each group adds. Sizes grow almost
 * linearly with the group count, so this interpolates (regula falsi with the
 * Illinois fix) between a fitting and a non-fitting count, and stops once the
 * next group cannot fit anyway: a handful of encodes even for thousands of instances.
 */
function largestFitting(growth: number[], size: (k: number) => number | undefined, limit: number, s0: number): number {
  if (s0 > limit) return 0
  // Counts whose lower bound already overflows cannot fit.
  let hi = growth.length
  let lower = s0
  for (let i = 0; i < growth.length; i++) {
    lower += growth[i]
    if (lower > limit) {
      hi = i + 1
      break
    }
  }
  let lo = 0
  let sLo = s0
  let sHi: number | undefined
  let side = 0
  while (hi - lo > 1) {
    if (limit - sLo < growth[lo]) return lo
    let guess: number
    if (sHi !== undefined) guess = lo + Math.floor(((limit - sLo) * (hi - lo)) / (sHi - sLo))
    else if (lo > 0) guess = lo + Math.floor(((limit - sLo) * lo) / Math.max(1, sLo - s0)) // extrapolate the average
    else guess = (lo + hi) >> 1
    guess = Math.min(hi - 1, Math.max(lo + 1, guess))
    const s = size(guess)
    if (s !== undefined && s <= limit) {
      lo = guess
      sLo = s
      // Illinois: the same end moved twice, so pull the other one's size towards the limit.
      if (side === -1 && sHi !== undefined) sHi = limit + (sHi - limit) / 2
      side = -1
    } else {
      hi = guess
      sHi = s
      side = 1
    }
  }
  return lo
}

/**
 * Encode; if even the trimmed message exceeds 64 KiB (one enormous record),
 * drop the additional section, then fall back to an empty SERVFAIL.
 */
function encodeOrShrink(msg: Message, compress: boolean): Buffer {
  const full = encodeMessage(msg, {compress})
  if (full) return full
  const bare = encodeMessage({...msg, additionals: []}, {compress})
  if (bare) return bare
  return encodeMessage({...msg, rcode: 2, answers: [], authorities: [], additionals: []}, {compress})!
}

/** How many leading groups have at most `max` answer records between them (at least one). */
function groupsWithin(groups: readonly Group[], max: number): number {
  let n = 0
  let count = 0
  for (const g of groups) {
    if (n > 0 && count + g.answers.length > max) break
    count += g.answers.length
    n++
  }
  return n
}

/** Static extras, then each distinct group extra once. */
function extrasOf(res: Resolution, gs: readonly Group[], k: number): Rr[] {
  const out = res.extras.slice()
  if (res.extraCount === 0) return out
  const seen = new Uint8Array(res.extraCount)
  for (let i = 0; i < k; i++) {
    const g = gs[i]
    const ids = g.extraIds!
    for (let j = 0; j < g.extras.length; j++) {
      if (seen[ids[j]]) continue
      seen[ids[j]] = 1
      out.push(g.extras[j])
    }
  }
  return out
}

/** A uniformly random ordered sample of `m` items (the first m steps of a Fisher-Yates shuffle). */
function sample<T>(items: readonly T[], m: number, randomInt: (n: number) => number): T[] {
  if (m >= items.length) return shuffled(items, randomInt)
  const out = items.slice()
  for (let i = 0; i < m; i++) {
    const j = i + randomInt(out.length - i)
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  out.length = m
  return out
}

export function shuffled<T>(items: readonly T[], randomInt: (n: number) => number): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}

function soaRecord(domain: string, ctx: RenderContext): Rr {
  const {soa} = ctx.cfg
  return {
    type: 'SOA', name: domain, ttl: soa.minTtl, mname: `ns.${domain}`, rname: `hostmaster.${domain}`,
    serial: Math.floor(ctx.wallMs / 1000) >>> 0, refresh: soa.refresh, retry: soa.retry, expire: soa.expire,
    minimum: soa.minTtl,
  }
}
