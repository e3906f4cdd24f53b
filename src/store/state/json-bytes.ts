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

/** How TAG appears in JSON text (JSON.stringify escapes the NUL). */
const TAG_IN_JSON = '"\\u0000b64"'

export function decodeJson(text: string): unknown {
  // A plain parse and then a walk over the objects is about twice as fast as a reviver,
  // which V8 calls for every value; text without the tag needs no walk at all.
  const v: unknown = JSON.parse(text)
  return text.includes(TAG_IN_JSON) ? untagTree(v) : v
}

/** Replaces tagged byte arrays in a parsed tree, bottom-up, as a reviver would. */
function untagTree(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i]
      const w = untagTree(x)
      if (w !== x) v[i] = w
    }
    return v
  }
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) {
    const x = o[k]
    const w = untagTree(x)
    // defineProperty, not assignment: a key named "__proto__" stays an own property.
    if (w !== x) Object.defineProperty(o, k, {value: w, writable: true, enumerable: true, configurable: true})
  }
  return untagValue(o)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', {fatal: true})

export const utf8 = (s: string): Uint8Array => encoder.encode(s)
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b)
