import type {TxnKVOp, TxnOp} from '../../../store/state/txn.js'

/** What replication compares: a key's value and flags (sessions and lock indexes stay local). */
export interface SourceEntry {
  Key: string
  Flags: number
  Value: Uint8Array
}
export interface LocalEntry extends SourceEntry {
  ModifyIndex: number
}

/** Consul's txn limit: at most 64 operations in one transaction. */
export const MAX_TXN_OPS = 64
/** Values per batch, well under txn_max_req_len (512 KiB); a larger single value goes alone. */
export const MAX_BATCH_BYTES = 256 * 1024

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The writes that make the local copy of `prefix` equal to the source's: a `cas` for
 * every key missing or different here, a `delete-cas` for every local key the source no
 * longer has. Both are conditional on the local ModifyIndex read now, so a batch fails
 * (and is recomputed) rather than overwrite a change made meanwhile — by a deposed
 * leader's replicator, say. Keys outside the prefix are never touched.
 */
export function diffPrefix(prefix: string, source: readonly SourceEntry[], local: readonly LocalEntry[]): TxnKVOp[] {
  const inPrefix = (k: string) => k.startsWith(prefix)
  const here = new Map<string, LocalEntry>()
  for (const e of local) if (inPrefix(e.Key)) here.set(e.Key, e)
  const ops: TxnKVOp[] = []
  const seen = new Set<string>()
  for (const s of source) {
    if (!inPrefix(s.Key) || seen.has(s.Key)) continue
    seen.add(s.Key)
    const l = here.get(s.Key)
    if (l && l.Flags === s.Flags && sameBytes(l.Value, s.Value)) continue
    ops.push({Verb: 'cas', Key: s.Key, Value: s.Value, Flags: s.Flags, Index: l?.ModifyIndex ?? 0})
  }
  for (const [key, l] of here) {
    if (!seen.has(key)) ops.push({Verb: 'delete-cas', Key: key, Index: l.ModifyIndex})
  }
  return ops
}

/**
 * Splits ops into transactions of at most MAX_TXN_OPS operations and about MAX_BATCH_BYTES
 * of values, with `last` (the progress record) in the final one, so progress is only
 * recorded by the transaction that completes the round. No ops: one transaction of `last`.
 */
export function batches(ops: readonly TxnKVOp[], last: TxnKVOp, maxOps = MAX_TXN_OPS, maxBytes = MAX_BATCH_BYTES): TxnOp[][] {
  const out: TxnOp[][] = []
  let cur: TxnOp[] = []
  let bytes = 0
  const room = (op: TxnKVOp, reserve: number) => cur.length + 1 + reserve <= maxOps && (cur.length === 0 || bytes + (op.Value?.length ?? 0) <= maxBytes)
  ops.forEach((op, i) => {
    const isLastOp = i === ops.length - 1
    if (!room(op, isLastOp ? 1 : 0)) {
      out.push(cur)
      cur = []
      bytes = 0
    }
    cur.push({KV: op})
    bytes += op.Value?.length ?? 0
  })
  if (cur.length + 1 > maxOps) {
    out.push(cur)
    cur = []
  }
  cur.push({KV: last})
  out.push(cur)
  return out
}

/** The replicator's progress record for one prefix, kept in the KV beside the data it describes. */
export interface ProgressRecord {
  SourceDatacenter: string
  Prefix: string
  /** The source's KVS.List index this datacenter's copy of the prefix is equal to. */
  ReplicatedIndex: number
  /** Wall time (ms) of the round that wrote it. */
  LastSuccess: number
}

export function encodeProgress(p: ProgressRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(p))
}

/** undefined for a missing, unreadable or foreign (other source or prefix) record: start from 0. */
export function decodeProgress(v: Uint8Array | undefined, source: string, prefix: string): ProgressRecord | undefined {
  if (!v || v.length === 0) return undefined
  try {
    const p = JSON.parse(new TextDecoder().decode(v)) as Partial<ProgressRecord>
    if (p.SourceDatacenter !== source || p.Prefix !== prefix || typeof p.ReplicatedIndex !== 'number' || !(p.ReplicatedIndex >= 0)) return undefined
    return {SourceDatacenter: source, Prefix: prefix, ReplicatedIndex: p.ReplicatedIndex, LastSuccess: typeof p.LastSuccess === 'number' ? p.LastSuccess : 0}
  } catch {
    return undefined
  }
}
