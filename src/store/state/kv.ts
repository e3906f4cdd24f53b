import {StateError, quote} from './errors.js'
import {bytesEqual} from './equal.js'
import type {KVInput} from './requests.js'
import type {Tables} from './tables.js'
import type {KVEntry} from './types.js'
import type {WatchSet} from './watch.js'

/** Consul's structs.MaxLockDelay: 60s, in nanoseconds like Session.LockDelay. */
export const MAX_LOCK_DELAY_NS = 60e9

const EMPTY = new Uint8Array(0)

/** Max of the kvs and tombstones table indexes (Consul's kvsMaxIndex). */
export function kvMaxIndex(t: Tables): number {
  return t.ctx.index.max('kvs', 'tombstones')
}

export function kvGet(t: Tables, key: string, ws?: WatchSet): {index: number; entry: KVEntry | undefined} {
  ws?.add('kv:key:' + key)
  return {index: kvMaxIndex(t), entry: t.kv.get(key)}
}

/**
 * Entries under prefix in key order. Index: the highest ModifyIndex in the
 * prefix, including tombstones in the prefix; for the empty prefix, or when
 * nothing matches, the kvs/tombstones table max (Consul's kvsListTxn).
 */
export function kvList(t: Tables, prefix: string, ws?: WatchSet): {index: number; entries: KVEntry[]} {
  ws?.add('kv:prefix:' + prefix)
  const tableIdx = kvMaxIndex(t)
  const entries: KVEntry[] = []
  let lindex = 0
  for (const e of t.kv.withPrefix(prefix)) {
    entries.push(e)
    if (e.ModifyIndex > lindex) lindex = e.ModifyIndex
  }
  if (prefix !== '') lindex = Math.max(lindex, t.tombstones.maxIndexInPrefix(prefix))
  else lindex = tableIdx
  return {index: lindex !== 0 ? lindex : tableIdx, entries}
}

/**
 * Keys under prefix; with a separator, keys are folded at the first separator
 * after the prefix (`a/b/c` under `a/` with `/` → `a/b/`), deduplicated, in
 * order. The index is kvList's: folded-away keys still count.
 */
export function kvKeys(t: Tables, prefix: string, separator: string, ws?: WatchSet): {index: number; keys: string[]} {
  const {index, entries} = kvList(t, prefix, ws)
  const keys: string[] = []
  let last: string | undefined
  for (const e of entries) {
    if (separator === '') {
      keys.push(e.Key)
      continue
    }
    const at = e.Key.indexOf(separator, prefix.length)
    if (at < 0) {
      keys.push(e.Key)
      continue
    }
    const folded = e.Key.slice(0, at + separator.length)
    // Entries are sorted, so equal folded keys are adjacent.
    if (folded !== last) keys.push(folded)
    last = folded
  }
  return {index, keys}
}

/** Consul's DirEntry.Equal: everything but the Raft indexes. */
function kvEqual(a: KVEntry, b: KVEntry): boolean {
  return a.Key === b.Key && a.Flags === b.Flags && a.LockIndex === b.LockIndex && a.Session === b.Session && bytesEqual(a.Value, b.Value)
}

/**
 * Insert or update a key (Consul's kvsSetTxn). Unless `session` is given the
 * existing holder is kept. An unchanged entry is not rewritten (no index bump).
 * Returns the entry as stored.
 */
export function kvSetTxn(t: Tables, idx: number, input: KVInput, session?: {value: string | undefined}): KVEntry {
  const existing = t.kv.get(input.Key)
  const next: KVEntry = {
    Key: input.Key,
    Flags: input.Flags ?? 0,
    Value: input.Value ? new Uint8Array(input.Value) : EMPTY,
    LockIndex: input.LockIndex ?? 0,
    CreateIndex: existing ? existing.CreateIndex : idx,
    ModifyIndex: idx,
  }
  const holder = session ? session.value : existing?.Session
  if (holder) next.Session = holder
  if (existing && kvEqual(existing, next)) return existing
  t.kv.set(next.Key, next)
  t.ctx.index.bump('kvs', idx)
  return next
}

/** Check-and-set: cas 0 creates only; otherwise the key must exist at ModifyIndex cas. */
export function kvSetCASTxn(t: Tables, idx: number, input: KVInput, cas: number): KVEntry | undefined {
  const existing = t.kv.get(input.Key)
  if (cas === 0 && existing) return undefined
  if (cas !== 0 && (!existing || existing.ModifyIndex !== cas)) return undefined
  return kvSetTxn(t, idx, input)
}

/**
 * Acquire the lock on key for session. LockIndex bumps only when the holder
 * changes. When `now` is given, an unexpired lock-delay on the key refuses the
 * acquire (Consul checks this on the leader before Raft; here the leader's time
 * rides in the command). Returns the stored entry, or undefined if refused.
 */
export function kvLockTxn(t: Tables, idx: number, input: KVInput, session: string, now?: number): KVEntry | undefined {
  if (!session) throw new StateError('missing-session', 'missing session')
  if (!t.sessions.has(session)) throw new StateError('invalid-session', `invalid session ${quote(session)}`)
  if (now !== undefined) {
    const expires = t.delays.expiry(input.Key)
    if (expires > now) return undefined
    if (expires !== 0) t.delays.delete(input.Key)
  }
  const existing = t.kv.get(input.Key)
  let lockIndex = 1
  if (existing) {
    if (existing.Session === session) lockIndex = existing.LockIndex
    else if (existing.Session) return undefined
    else lockIndex = existing.LockIndex + 1
  }
  return kvSetTxn(t, idx, {...input, LockIndex: lockIndex}, {value: session})
}

/** Release the lock if session holds it; the value is updated, LockIndex kept. */
export function kvUnlockTxn(t: Tables, idx: number, input: KVInput, session: string): KVEntry | undefined {
  if (!session) throw new StateError('missing-session', 'missing session')
  const existing = t.kv.get(input.Key)
  if (!existing || existing.Session !== session) return undefined
  return kvSetTxn(t, idx, {...input, LockIndex: existing.LockIndex}, {value: undefined})
}

/** Delete one key, leaving a tombstone; a missing key is a no-op. */
export function kvDeleteTxn(t: Tables, idx: number, key: string): void {
  if (!t.kv.has(key)) return
  t.tombstones.insert(t.ctx, key, idx)
  t.kv.delete(key)
  t.ctx.index.bump('kvs', idx)
}

/** Delete if ModifyIndex matches. As in Consul, deleting a missing key "succeeds". */
export function kvDeleteCASTxn(t: Tables, idx: number, cas: number, key: string): boolean {
  const existing = t.kv.get(key)
  if (!existing) return true
  if (existing.ModifyIndex !== cas) return false
  kvDeleteTxn(t, idx, key)
  return true
}

/** Delete every key under prefix with one tombstone at the prefix (none for the empty prefix). */
export function kvDeleteTreeTxn(t: Tables, idx: number, prefix: string): void {
  const keys = [...t.kv.withPrefix(prefix)].map((e) => e.Key)
  if (keys.length === 0) return
  for (const k of keys) t.kv.delete(k)
  if (prefix !== '') t.tombstones.insert(t.ctx, prefix, idx)
  t.ctx.index.bump('kvs', idx)
}
