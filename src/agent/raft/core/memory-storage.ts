import {cloneConfState} from './conf-change.js'
import {limitSize} from './entries.js'
import type {ConfState, Entry, HardState, Snapshot, Storage} from './types.js'
import {EntryType, RaftStorageError} from './types.js'

/**
 * Storage held in memory (etcd's MemoryStorage): the reference implementation for tests
 * and the simulator. Everything written is "durable" at once; a simulator that models
 * crashes keeps its own copy of what was synced.
 *
 * Layout: ents[0] is a dummy entry at the compaction point (the snapshot's index/term, or
 * 0/0), so firstIndex() = ents[0].index + 1 and term(firstIndex() - 1) always answers.
 * Entries and snapshots are shared, not copied: callers must treat them as immutable.
 */
export class MemoryStorage implements Storage {
  private hard: HardState = {term: 0, vote: '', commit: 0}
  private snap: Snapshot = {meta: {index: 0, term: 0, conf: {voters: [], learners: []}}, data: new Uint8Array(0)}
  private conf: ConfState = {voters: [], learners: []}
  private ents: Entry[] = [{index: 0, term: 0, type: EntryType.Normal, data: new Uint8Array(0)}]

  /** The hard state and membership the node starts from (conf: see setConfState). */
  initialState(): {hardState: HardState; confState: ConfState} {
    return {hardState: {...this.hard}, confState: cloneConfState(this.conf)}
  }

  setHardState(hs: HardState): void {
    this.hard = {...hs}
  }

  /**
   * Records the membership the driver has applied (RawNode.applyConfChange's result) so a
   * restart starts from it; applySnapshot resets it to the snapshot's conf.
   */
  setConfState(cs: ConfState): void {
    this.conf = cloneConfState(cs)
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    const offset = this.ents[0]!.index
    if (lo <= offset) throw new RaftStorageError('compacted', `entries(${lo}): compacted up to ${offset}`)
    if (hi > this.lastIndex() + 1) throw new RaftStorageError('unavailable', `entries(${lo}, ${hi}): last index ${this.lastIndex()}`)
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes)
  }

  term(i: number): number {
    const offset = this.ents[0]!.index
    if (i < offset) throw new RaftStorageError('compacted', `term(${i}): compacted up to ${offset}`)
    if (i - offset >= this.ents.length) throw new RaftStorageError('unavailable', `term(${i}): last index ${this.lastIndex()}`)
    return this.ents[i - offset]!.term
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1
  }

  snapshot(): Snapshot {
    return this.snap
  }

  /**
   * Installs a snapshot received from the leader (Ready.snapshot): replaces the whole log.
   * Throws RaftStorageError('snapshot-out-of-date') unless it is newer than the one held.
   */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.snap.meta.index) {
      throw new RaftStorageError('snapshot-out-of-date', `snapshot ${snap.meta.index} is not newer than ${this.snap.meta.index}`)
    }
    this.snap = snap
    this.conf = cloneConfState(snap.meta.conf)
    this.ents = [{index: snap.meta.index, term: snap.meta.term, type: EntryType.Normal, data: new Uint8Array(0)}]
  }

  /**
   * Records a snapshot of the local state machine as of applied index `index` (with the
   * membership at that point); the log is untouched (call compact() to drop entries).
   */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) {
      throw new RaftStorageError('snapshot-out-of-date', `snapshot ${index} is not newer than ${this.snap.meta.index}`)
    }
    if (index > this.lastIndex()) throw new RaftStorageError('unavailable', `snapshot ${index} is past the last index ${this.lastIndex()}`)
    this.snap = {meta: {index, term: this.term(index), conf: cloneConfState(conf)}, data}
    return this.snap
  }

  /**
   * Drops entries before `index`, which becomes the dummy entry (so term(index) still
   * answers). The driver only compacts what a snapshot covers and it has applied.
   */
  compact(index: number): void {
    const offset = this.ents[0]!.index
    if (index <= offset) throw new RaftStorageError('compacted', `compact(${index}): already compacted up to ${offset}`)
    if (index > this.lastIndex()) throw new RaftStorageError('unavailable', `compact(${index}): past the last index ${this.lastIndex()}`)
    const dummy = this.ents[index - offset]!
    this.ents = [{index: dummy.index, term: dummy.term, type: EntryType.Normal, data: new Uint8Array(0)}, ...this.ents.slice(index - offset + 1)]
  }

  /**
   * Appends Ready.entries: entries already compacted are skipped, an existing suffix from
   * the first new index is replaced. A gap after lastIndex() throws 'unavailable'.
   */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    const first = this.firstIndex()
    const last = entries[entries.length - 1]!.index
    if (last < first) return
    if (entries[0]!.index < first) entries = entries.slice(first - entries[0]!.index)
    const at = entries[0]!.index - this.ents[0]!.index
    if (at > this.ents.length) {
      throw new RaftStorageError('unavailable', `append at ${entries[0]!.index} leaves a gap after ${this.lastIndex()}`)
    }
    this.ents = this.ents.slice(0, at).concat(entries)
  }
}
