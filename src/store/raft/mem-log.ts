import {RaftStorageError} from '../../agent/raft/core/types.js'
import type {Entry, HardState, Snapshot} from '../../agent/raft/core/types.js'
import {RaftStoreError} from './errors.js'
import {checkSnapshot, limitSize, ZERO_HARD_STATE, type LogView, type PersistPlan} from './plan.js'

/** How many snapshots a store retains (newest last). */
export const SNAPSHOTS_RETAINED = 2

/**
 * The whole Raft durable state held in memory: compaction point, entries after it,
 * hard state and the newest snapshots. Plain synchronous data structure shared by the
 * memory store (one for the synced "disk", one for the working view).
 */
export class MemLog implements LogView {
  compactIndex = 0
  compactTerm = 0
  /** entries[k].index === compactIndex + 1 + k */
  entries: Entry[] = []
  hardState: HardState = ZERO_HARD_STATE
  /** Oldest first, at most SNAPSHOTS_RETAINED. */
  snapshots: Snapshot[] = []

  clone(): MemLog {
    const c = new MemLog()
    c.compactIndex = this.compactIndex
    c.compactTerm = this.compactTerm
    c.entries = this.entries.slice()
    c.hardState = this.hardState
    c.snapshots = this.snapshots.slice()
    return c
  }

  get lastIndex(): number {
    return this.compactIndex + this.entries.length
  }

  get commit(): number {
    return this.hardState.commit
  }

  get snapshotIndex(): number {
    return this.latestSnapshot()?.meta.index ?? -1
  }

  latestSnapshot(): Snapshot | undefined {
    return this.snapshots[this.snapshots.length - 1]
  }

  term(i: number): number {
    if (i < this.compactIndex) throw new RaftStorageError('compacted', `term(${i}): compacted up to ${this.compactIndex}`)
    if (i > this.lastIndex) throw new RaftStorageError('unavailable', `term(${i}): last index is ${this.lastIndex}`)
    return i === this.compactIndex ? this.compactTerm : this.entries[i - this.compactIndex - 1]!.term
  }

  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    checkRange(lo, hi, this.compactIndex + 1, this.lastIndex)
    return limitSize(this.entries.slice(lo - this.compactIndex - 1, hi - this.compactIndex - 1), maxBytes)
  }

  /** Applies a plan made by planPersist against this log. */
  apply(plan: PersistPlan): void {
    const snap = plan.snapshot
    if (snap) {
      this.pushSnapshot(snap)
      this.compactIndex = snap.meta.index
      this.compactTerm = snap.meta.term
      this.entries = []
    }
    if (plan.entries.length > 0) {
      const keep = plan.entries[0]!.index - this.compactIndex - 1
      this.entries.length = keep
      for (const e of plan.entries) this.entries.push(e)
    }
    if (plan.hardState) this.hardState = plan.hardState
  }

  checkSaveSnapshot(snap: Snapshot): void {
    checkSnapshot(snap)
    if (snap.meta.index > this.lastIndex) throw new RaftStoreError('invalid', `snapshot ${snap.meta.index} is past the last index ${this.lastIndex}`)
    if (snap.meta.index < this.compactIndex) throw new RaftStoreError('invalid', `snapshot ${snap.meta.index} is older than the compaction point ${this.compactIndex}`)
    const latest = this.snapshotIndex
    if (latest >= 0 && snap.meta.index <= latest) throw new RaftStoreError('invalid', `snapshot ${snap.meta.index} is not newer than ${latest}`)
  }

  pushSnapshot(snap: Snapshot): void {
    this.snapshots.push(snap)
    if (this.snapshots.length > SNAPSHOTS_RETAINED) this.snapshots.splice(0, this.snapshots.length - SNAPSHOTS_RETAINED)
  }

  /** Returns false when there is nothing to drop. */
  checkCompact(index: number): boolean {
    return checkCompact(index, this)
  }

  compact(index: number): void {
    const term = this.term(index)
    this.entries = this.entries.slice(index - this.compactIndex)
    this.compactIndex = index
    this.compactTerm = term
  }
}

/** Shared bounds check for entries(lo, hi): RaftStorageError for compacted/unavailable. */
export function checkRange(lo: number, hi: number, firstIndex: number, lastIndex: number): void {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) throw new RaftStoreError('invalid', `entries(${lo}, ${hi}): bad range`)
  if (lo < firstIndex) throw new RaftStorageError('compacted', `entries(${lo}, ${hi}): compacted up to ${firstIndex - 1}`)
  if (hi > lastIndex + 1) throw new RaftStorageError('unavailable', `entries(${lo}, ${hi}): last index is ${lastIndex}`)
}

/** Shared precondition of compact(index); false when index is at or before the compaction point. */
export function checkCompact(index: number, view: LogView): boolean {
  if (!Number.isSafeInteger(index)) throw new RaftStoreError('invalid', `compact(${index}): not an index`)
  if (index <= view.compactIndex) return false
  if (index > view.lastIndex) throw new RaftStoreError('invalid', `compact(${index}): past the last index ${view.lastIndex}`)
  if (index > view.snapshotIndex) throw new RaftStoreError('invalid', `compact(${index}): no snapshot covers it (latest ${view.snapshotIndex})`)
  return true
}
