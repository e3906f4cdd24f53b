/**
 * Structural equality for records (Consul's IsSame/Equal): plain objects,
 * arrays, Uint8Array and primitives; a property set to undefined equals a
 * missing one. `skip` names top-level fields to ignore (the Raft indexes).
 */
export function deepEqual(a: unknown, b: unknown, skip?: ReadonlySet<string>): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b)
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const k of Object.keys(ra)) {
    if (skip?.has(k)) continue
    if (!deepEqual(ra[k], rb[k])) return false
  }
  for (const k of Object.keys(rb)) {
    if (skip?.has(k)) continue
    if (!(k in ra) && rb[k] !== undefined) return false
  }
  return true
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export const RAFT_INDEX_FIELDS: ReadonlySet<string> = new Set(['CreateIndex', 'ModifyIndex'])

/** Equal ignoring CreateIndex/ModifyIndex. */
export function sameRecord(a: object, b: object): boolean {
  return deepEqual(a, b, RAFT_INDEX_FIELDS)
}
