import {Decoder, encode as mpEncode} from '@msgpack/msgpack'

/**
 * msgpack as HashiCorp's go-msgpack speaks it: structs are maps keyed by field name;
 * Go writes both string and []byte as msgpack "raw" (str), so decoding keeps raw
 * bytes (rawStrings) and each field reader says whether it wants text or bytes.
 * Go's decoder accepts str8 and bin for either, so encoding needs no special mode.
 */
const decoder = new Decoder({rawStrings: true})
const textDecoder = new TextDecoder()

export type Raw = Record<string, unknown>

/** Thrown for input that is not a well-formed message (dropped and counted by the caller). */
export class WireError extends Error {}

/** Thrown when a stream has not delivered enough bytes yet (read more, then retry). */
export class ShortRead extends Error {}

export function encode(value: unknown): Uint8Array {
  return mpEncode(value, {ignoreUndefined: true})
}

/** Encodes `[type byte][msgpack(value)]`, the frame of every memberlist and Serf message. */
export function encodeTyped(type: number, value: unknown): Uint8Array {
  const body = encode(value)
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

export function decode(buf: Uint8Array): Raw {
  let v: unknown
  try {
    v = decoder.decode(buf)
  } catch (e) {
    throw new WireError(`bad msgpack: ${(e as Error).message}`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new WireError('expected a msgpack map')
  return v as Raw
}

/**
 * Decodes msgpack values one after another from the front of `buf`, returning each
 * value with the offset just past it; ShortRead when `buf` ends inside a value
 * (a stream that has not arrived whole yet), WireError for garbage.
 */
export function decodeSequence(buf: Uint8Array, count: number, offset = 0): {values: unknown[]; end: number} {
  const values: unknown[] = []
  let end = offset
  for (let i = 0; i < count; i++) {
    if (end >= buf.length) throw new ShortRead()
    const d = new Decoder({rawStrings: true})
    try {
      const it = d.decodeMulti(buf.subarray(end))
      const r = it.next()
      if (r.done) throw new ShortRead()
      values.push(r.value)
      // The library keeps its read position in `pos`; decodeMulti stops right after one value.
      end += (d as unknown as {pos: number}).pos
    } catch (e) {
      if (e instanceof ShortRead) throw e
      if (e instanceof RangeError) throw new ShortRead()
      throw new WireError(`bad msgpack: ${(e as Error).message}`)
    }
  }
  return {values, end}
}

export function str(v: unknown): string {
  if (v instanceof Uint8Array) return textDecoder.decode(v)
  if (typeof v === 'string') return v
  if (v === undefined || v === null) return ''
  throw new WireError(`expected a string, got ${typeof v}`)
}

export function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return new TextEncoder().encode(v)
  if (v === undefined || v === null) return new Uint8Array(0)
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Uint8Array.from(v as number[])
  throw new WireError(`expected bytes, got ${typeof v}`)
}

export function uint(v: unknown): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v
  throw new WireError(`expected an unsigned integer, got ${String(v)}`)
}

export function bool(v: unknown): boolean {
  if (v === undefined || v === null) return false
  if (typeof v === 'boolean') return v
  throw new WireError(`expected a bool, got ${String(v)}`)
}

export function map(v: unknown): Raw {
  if (v === undefined || v === null) return {}
  if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) return v as Raw
  throw new WireError('expected a map')
}

export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return []
  if (Array.isArray(v)) return v
  throw new WireError('expected an array')
}
