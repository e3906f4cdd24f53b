/**
 * JSON with byte-exact Uint8Array values: each byte array is written as
 * {"\u0000b64": "<base64>"} (a key no Consul name or meta key can contain).
 * Used by snapshots and by FSM command payloads.
 */
const TAG = '\u0000b64'

/** The tagged JSON form of a byte array. */
export function tagBytes(v: Uint8Array): {[TAG]: string} {
  return {[TAG]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}
}

/** A tagged byte array back to bytes; anything else is returned unchanged. */
export function untagValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    const b = o[TAG]
    if (typeof b === 'string' && Object.keys(o).length === 1) return Uint8Array.from(Buffer.from(b, 'base64'))
  }
  return v
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? tagBytes(v) : v))
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => untagValue(v))
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', {fatal: true})

export const utf8 = (s: string): Uint8Array => encoder.encode(s)
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b)
