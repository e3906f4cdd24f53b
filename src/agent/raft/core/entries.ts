import type {Entry} from './types.js'

/**
 * Bytes an entry counts for against size limits (maxSizePerMsg, Storage.entries maxBytes):
 * payload plus a fixed header. Storage implementations must measure the same way
 * (src/store/raft uses the same 16-byte overhead).
 */
export const ENTRY_OVERHEAD_BYTES = 16

export function entrySize(e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES
}

/**
 * The longest prefix of `entries` whose total size is within maxBytes, but never fewer than
 * one entry (a single oversized entry must still make progress). Returns the input array
 * itself when nothing is cut.
 */
export function limitSize(entries: Entry[], maxBytes: number | undefined): Entry[] {
  if (maxBytes === undefined || maxBytes === Infinity || entries.length <= 1) return entries
  let size = entrySize(entries[0]!)
  let n = 1
  for (; n < entries.length; n++) {
    size += entrySize(entries[n]!)
    if (size > maxBytes) break
  }
  return n === entries.length ? entries : entries.slice(0, n)
}
