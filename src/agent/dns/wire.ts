/**
 * Response encoder with RFC 1035 name compression (dns-packet, used for
 * decoding, never compresses; Consul compresses unless disable_compression).
 * Encoding is synchronous into one shared scratch buffer, so a size limit can
 * abort early: `encodeMessage(msg, {maxBytes})` returns undefined when the
 * message would not fit, which is what answer trimming probes with.
 */
import {QType, RR_TYPE_CODE, type Message, type Rr} from './protocol.js'

export const MAX_MESSAGE_BYTES = 65535
/** encodedSize can measure messages up to this size (trimming interpolates between measured sizes). */
export const MAX_MEASURE_BYTES = 2 * MAX_MESSAGE_BYTES
const SCRATCH = Buffer.allocUnsafe(MAX_MEASURE_BYTES)
const POINTER_LIMIT = 0x3fff

class Overflow extends Error {}
const OVERFLOW = new Overflow('message too large')

/** Thrown for a name that cannot be encoded (empty or over-long label). */
export class WireError extends Error {}

class Writer {
  off = 0
  readonly names: Map<string, number> | undefined
  constructor(private readonly max: number, compress: boolean) {
    this.names = compress ? new Map() : undefined
  }
  private room(n: number): void {
    if (this.off + n > this.max) throw OVERFLOW
  }
  u8(v: number): void {
    this.room(1)
    SCRATCH[this.off++] = v
  }
  u16(v: number): void {
    this.room(2)
    SCRATCH.writeUInt16BE(v & 0xffff, this.off)
    this.off += 2
  }
  u32(v: number): void {
    this.room(4)
    SCRATCH.writeUInt32BE(v >>> 0, this.off)
    this.off += 4
  }
  bytes(b: Uint8Array): void {
    this.room(b.length)
    SCRATCH.set(b, this.off)
    this.off += b.length
  }
  /**
   * A domain name. With `pointers` false the name is written in full (RFC 2782
   * forbids compressing SRV targets) but still registered so later names can point at it.
   */
  name(full: string, pointers = true): void {
    const n = parsedName(full)
    const names = this.names
    if (!names) {
      this.bytes(n.wire)
      return
    }
    for (let i = 0; i < n.suffixes.length; i++) {
      const suffix = n.suffixes[i]
      if (pointers) {
        const at = names.get(suffix)
        if (at !== undefined) {
          this.u16(0xc000 | at)
          return
        }
      }
      const here = this.off
      if (here <= POINTER_LIMIT && !names.has(suffix)) names.set(suffix, here)
      const from = n.starts[i]
      const to = i + 1 < n.starts.length ? n.starts[i + 1] : n.wire.length - 1
      this.room(to - from)
      SCRATCH.set(n.wire.subarray(from, to), here)
      this.off += to - from
    }
    this.u8(0)
  }
}

/** A name split once into its suffixes and uncompressed wire form (hot names repeat in every answer). */
interface ParsedName {
  /** "a.b.c", "b.c", "c" */
  suffixes: string[]
  /** Offset of each label's length byte in `wire`. */
  starts: number[]
  /** Uncompressed encoding, ending with the root byte. */
  wire: Buffer
}

const NAME_CACHE_MAX = 65536
const nameCache = new Map<string, ParsedName>()

function parsedName(full: string): ParsedName {
  const hit = nameCache.get(full)
  if (hit) return hit
  const rest = full.endsWith('.') ? full.slice(0, -1) : full
  const labels = rest === '' ? [] : rest.split('.')
  const suffixes: string[] = []
  const starts: number[] = []
  const parts: Buffer[] = []
  let off = 0
  for (let i = 0; i < labels.length; i++) {
    const bytes = Buffer.from(labels[i], 'utf8')
    if (bytes.length === 0 || bytes.length > 63) throw new WireError(`invalid label in ${JSON.stringify(full)}`)
    suffixes.push(labels.slice(i).join('.'))
    starts.push(off)
    parts.push(Buffer.from([bytes.length]), bytes)
    off += 1 + bytes.length
  }
  parts.push(Buffer.from([0]))
  const parsed: ParsedName = {suffixes, starts, wire: Buffer.concat(parts)}
  if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear()
  nameCache.set(full, parsed)
  return parsed
}

export interface EncodeOptions {
  compress: boolean
  /** Abort (return undefined) past this many bytes; default and ceiling 65535. */
  maxBytes?: number
}

export function encodeMessage(msg: Message, opts: EncodeOptions): Buffer | undefined {
  const end = write(msg, Math.min(opts.maxBytes ?? MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES), opts.compress)
  return end === undefined ? undefined : Buffer.from(SCRATCH.subarray(0, end))
}

/** The encoded length, or undefined past capBytes (at most MAX_MEASURE_BYTES); nothing is copied. */
export function encodedSize(msg: Message, opts: {compress: boolean; capBytes: number}): number | undefined {
  return write(msg, Math.min(opts.capBytes, MAX_MEASURE_BYTES), opts.compress)
}

function write(msg: Message, max: number, compress: boolean): number | undefined {
  const w = new Writer(max, compress)
  try {
    writeHeader(w, msg)
    if (msg.question) {
      w.name(msg.question.name)
      w.u16(msg.question.type)
      w.u16(msg.question.class)
    }
    for (const rr of msg.answers) writeRr(w, rr)
    for (const rr of msg.authorities) writeRr(w, rr)
    for (const rr of msg.additionals) writeRr(w, rr)
    if (msg.edns) {
      w.u8(0)
      w.u16(QType.OPT)
      w.u16(msg.edns.udpSize)
      w.u32(0)
      w.u16(0)
    }
  } catch (err) {
    if (err === OVERFLOW) return undefined
    throw err
  }
  return w.off
}

function writeHeader(w: Writer, m: Message): void {
  w.u16(m.id)
  const flags = 0x8000 | ((m.opcode & 0xf) << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) |
    (m.rd ? 0x100 : 0) | (m.ra ? 0x80 : 0) | (m.cd ? 0x10 : 0) | (m.rcode & 0xf)
  w.u16(flags)
  w.u16(m.question ? 1 : 0)
  w.u16(m.answers.length)
  w.u16(m.authorities.length)
  w.u16(m.additionals.length + (m.edns ? 1 : 0))
}

function writeRr(w: Writer, rr: Rr): void {
  w.name(rr.name)
  w.u16(RR_TYPE_CODE[rr.type])
  w.u16(1)
  w.u32(rr.ttl)
  const lenAt = w.off
  w.u16(0)
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      w.bytes(rr.address)
      break
    case 'CNAME':
    case 'NS':
    case 'PTR':
      w.name(rr.target)
      break
    case 'SRV':
      w.u16(rr.priority)
      w.u16(rr.weight)
      w.u16(rr.port)
      w.name(rr.target, false)
      break
    case 'TXT':
      for (const t of rr.texts) {
        const b = Buffer.from(t, 'utf8')
        if (b.length === 0) w.u8(0)
        for (let i = 0; i < b.length; i += 255) {
          const chunk = b.subarray(i, i + 255)
          w.u8(chunk.length)
          w.bytes(chunk)
        }
      }
      if (rr.texts.length === 0) w.u8(0)
      break
    case 'SOA':
      w.name(rr.mname)
      w.name(rr.rname)
      w.u32(rr.serial)
      w.u32(rr.refresh)
      w.u32(rr.retry)
      w.u32(rr.expire)
      w.u32(rr.minimum)
      break
  }
  SCRATCH.writeUInt16BE(w.off - lenAt - 2, lenAt)
}
