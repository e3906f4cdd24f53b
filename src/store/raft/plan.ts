import type {ConfState, Entry, HardState, Snapshot} from '../../agent/raft/core/types.js'
import {RaftStoreError} from './errors.js'
import type {PersistBatch} from './types.js'

// Sizes are measured exactly as the core measures them (payload + fixed header).
export {entrySize as entryBytes, limitSize} from '../../agent/raft/core/entries.js'

export function emptySnapshot(): Snapshot {
  return {meta: {index: 0, term: 0, conf: {voters: [], learners: []}}, data: new Uint8Array(0)}
}

export const ZERO_HARD_STATE: HardState = Object.freeze({term: 0, vote: '', commit: 0})

/** What a store needs to know about its current log to validate a batch. */
export interface LogView {
  compactIndex: number
  compactTerm: number
  lastIndex: number
  commit: number
  /** -1 when there is no snapshot. */
  snapshotIndex: number
  /** Term of i for compactIndex ≤ i ≤ lastIndex. */
  term(i: number): number
}

/** A validated batch: `entries` start after the compaction point and overwrite from entries[0].index. */
export interface PersistPlan {
  snapshot?: Snapshot
  entries: Entry[]
  hardState?: HardState
  /** lastIndex once the plan is applied. */
  lastIndex: number
}

function invalid(msg: string): never {
  throw new RaftStoreError('invalid', msg)
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function checkConf(conf: ConfState): void {
  const ok = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string')
  if (!conf || !ok(conf.voters) || !ok(conf.learners)) invalid('snapshot conf must list voters and learners')
}

export function checkSnapshot(snap: Snapshot): void {
  if (!snap || !snap.meta || !isIndex(snap.meta.index) || !isIndex(snap.meta.term)) invalid('snapshot meta index/term must be integers ≥ 0')
  if (!(snap.data instanceof Uint8Array)) invalid('snapshot data must be a Uint8Array')
  checkConf(snap.meta.conf)
}

function checkEntry(e: Entry, index: number): void {
  if (!e || e.index !== index) invalid(`entries must be contiguous (expected index ${index}, got ${e?.index})`)
  if (!isIndex(e.term) || e.term < 1) invalid(`entry ${index}: term must be an integer ≥ 1`)
  if (e.type !== 0 && e.type !== 1) invalid(`entry ${index}: unknown type ${String(e.type)}`)
  if (!(e.data instanceof Uint8Array)) invalid(`entry ${index}: data must be a Uint8Array`)
}

function checkHardState(hs: HardState, lastIndex: number): void {
  if (!isIndex(hs.term) || !isIndex(hs.commit) || typeof hs.vote !== 'string') invalid('hard state must be {term, vote, commit}')
  if (hs.commit > lastIndex) invalid(`hard state commit ${hs.commit} is past the last index ${lastIndex}`)
}

/** Validates a batch against the current log without changing anything; throws RaftStoreError('invalid'). */
export function planPersist(batch: PersistBatch, view: LogView): PersistPlan {
  if (!batch || !Array.isArray(batch.entries)) invalid('batch.entries must be an array')
  let compactIndex = view.compactIndex
  let lastIndex = view.lastIndex
  let commit = view.commit
  let termAt = (i: number) => view.term(i)
  const snap = batch.snapshot
  if (snap) {
    checkSnapshot(snap)
    if (snap.meta.index < view.compactIndex) invalid(`snapshot ${snap.meta.index} is older than the compaction point ${view.compactIndex}`)
    if (view.snapshotIndex >= 0 && snap.meta.index <= view.snapshotIndex) invalid(`snapshot ${snap.meta.index} is not newer than ${view.snapshotIndex}`)
    compactIndex = lastIndex = commit = snap.meta.index
    termAt = () => snap.meta.term
  }
  let entries = batch.entries
  const skip = entries.length > 0 ? compactIndex + 1 - entries[0]!.index : 0
  if (skip > 0) entries = entries.slice(skip)
  if (entries.length > 0) {
    const first = entries[0]!.index
    if (!isIndex(first) || first < 1) invalid('entry index must be an integer ≥ 1')
    if (first > lastIndex + 1) invalid(`gap in the log: appending ${first} after ${lastIndex}`)
    if (first <= commit) invalid(`entry ${first} would overwrite a committed entry (commit ${commit})`)
    let prevTerm = termAt(first - 1)
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]!
      checkEntry(e, first + k)
      if (e.term < prevTerm) invalid(`entry ${e.index}: term ${e.term} is below the previous term ${prevTerm}`)
      prevTerm = e.term
    }
    lastIndex = first + entries.length - 1
  }
  if (batch.hardState) checkHardState(batch.hardState, lastIndex)
  const plan: PersistPlan = {entries, lastIndex}
  if (snap) plan.snapshot = snap
  if (batch.hardState) plan.hardState = batch.hardState
  return plan
}
