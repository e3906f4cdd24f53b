import {limitSize} from './entries.js'
import {invariant} from './errors.js'
import type {Entry, Snapshot, Storage} from './types.js'
import {RaftStorageError} from './types.js'
import {Unstable} from './unstable.js'

/**
 * The log as the Raft state machine sees it: the driver's durable Storage (read-only here)
 * with the Unstable tail on top, plus the commit and applied cursors.
 *
 * Invariants: applied <= committed <= lastIndex(); entries at or below `committed` are
 * never truncated (an attempt throws RaftError('invariant')).
 */
export class RaftLog {
  readonly unstable: Unstable
  committed: number
  applied: number

  constructor(
    readonly storage: Storage,
    /** Upper bound on the bytes of committed entries handed out in one Ready. */
    private readonly maxCommittedBytes: number,
  ) {
    const first = storage.firstIndex()
    this.unstable = new Unstable(storage.lastIndex() + 1)
    this.committed = first - 1
    this.applied = first - 1
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  /** Term of entry i; throws RaftStorageError('compacted' | 'unavailable') outside [firstIndex-1, lastIndex]. */
  term(i: number): number {
    const dummy = this.firstIndex() - 1
    if (i < dummy) throw new RaftStorageError('compacted', `term(${i}): compacted up to ${dummy}`)
    if (i > this.lastIndex()) throw new RaftStorageError('unavailable', `term(${i}): last index ${this.lastIndex()}`)
    return this.unstable.maybeTerm(i) ?? this.storage.term(i)
  }

  /**
   * Term of entry i, or undefined outside [firstIndex-1, lastIndex]. The lookups below ask
   * for indexes past the end all the time (findConflict, for every new entry of every
   * MsgApp), so that case answers without building an Error: it was ~5% of a follower's CPU.
   */
  private termIfPresent(i: number): number | undefined {
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined
    return this.unstable.maybeTerm(i) ?? this.storage.term(i)
  }

  /** Term of i, or 0 when i is compacted or beyond the log. */
  termOrZero(i: number): number {
    try {
      return this.termIfPresent(i) ?? 0
    } catch (e) {
      // Storage may still refuse (compacted under us).
      if (e instanceof RaftStorageError) return 0
      throw e
    }
  }

  lastTerm(): number {
    return this.term(this.lastIndex())
  }

  /** Whether entry i exists (or is the snapshot point) with term t. */
  matchTerm(i: number, t: number): boolean {
    try {
      return this.termIfPresent(i) === t
    } catch (e) {
      if (e instanceof RaftStorageError) return false
      throw e
    }
  }

  /**
   * Entries [lo, hi) at most maxBytes (at least one). Throws RaftStorageError('compacted')
   * when lo < firstIndex() and RaftError('invariant') when hi > lastIndex() + 1.
   */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    invariant(lo <= hi, `slice(${lo}, ${hi}): invalid range`)
    const first = this.firstIndex()
    if (lo < first) throw new RaftStorageError('compacted', `slice(${lo}): compacted up to ${first - 1}`)
    invariant(hi <= this.lastIndex() + 1, `slice(${lo}, ${hi}): out of bound last index ${this.lastIndex()}`)
    if (lo === hi) return []
    const off = this.unstable.offset
    let out: Entry[] = []
    if (lo < off) {
      const stored = this.storage.entries(lo, Math.min(hi, off), maxBytes)
      // Storage cut the range short (size limit): the unstable part cannot follow.
      if (stored.length < Math.min(hi, off) - lo) return stored
      out = stored
    }
    if (hi > off) {
      const tail = this.unstable.slice(Math.max(lo, off), hi)
      out = out.length > 0 ? out.concat(tail) : tail
    }
    return limitSize(out, maxBytes)
  }

  /** Entries from i to the end, at most maxBytes. */
  entriesFrom(i: number, maxBytes?: number): Entry[] {
    if (i > this.lastIndex()) return []
    return this.slice(i, this.lastIndex() + 1, maxBytes)
  }

  /**
   * Follower side of MsgApp: if our entry at `index` has term `logTerm`, append `ents`
   * (dropping only a conflicting suffix, never entries that already match) and commit up
   * to min(committed, last new index). Returns the last index known to match the leader,
   * or undefined when the consistency check fails.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined
    const lastNew = index + ents.length
    const ci = this.findConflict(ents)
    if (ci !== 0) {
      invariant(ci > this.committed, `entry ${ci} conflicts with committed entry (committed ${this.committed})`)
      this.append(ents.slice(ci - (index + 1)))
    }
    this.commitTo(Math.min(committed, lastNew))
    return lastNew
  }

  /** Appends to the unstable tail, truncating a conflicting uncommitted suffix. Returns lastIndex(). */
  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex()
    const after = ents[0]!.index - 1
    invariant(after >= this.committed, `append after ${after} would truncate committed ${this.committed}`)
    this.unstable.truncateAndAppend(ents)
    return this.lastIndex()
  }

  /**
   * Index of the first entry in ents that is not already in the log with the same term
   * (a conflict or a new entry), or 0 when all of them are present.
   */
  findConflict(ents: Entry[]): number {
    for (const e of ents) if (!this.matchTerm(e.index, e.term)) return e.index
    return 0
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with that term (0 when unknown).
   * Used for fast backtracking: both sides skip a whole term of divergent entries per
   * round trip instead of one entry.
   */
  findConflictByTerm(index: number, term: number): {index: number; term: number} {
    const floor = this.firstIndex() - 1
    for (let i = Math.min(index, this.lastIndex()); i >= floor; i--) {
      const t = this.termOrZero(i)
      if (t <= term) return {index: i, term: t}
    }
    return {index: floor, term: 0}
  }

  commitTo(i: number): void {
    if (i <= this.committed) return
    invariant(i <= this.lastIndex(), `commit ${i} is past the last index ${this.lastIndex()} (log lost or corrupt?)`)
    this.committed = i
  }

  /** Leader: commit up to maxIndex only if that entry is from the current term (Raft §5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex)
      return true
    }
    return false
  }

  appliedTo(i: number): void {
    if (i === 0 || i <= this.applied) return
    invariant(i <= this.committed, `applied ${i} is past committed ${this.committed}`)
    this.applied = i
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t)
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i)
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice()
  }

  /** Committed entries not yet applied, none while a snapshot waits to be installed. */
  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return []
    const lo = Math.max(this.applied + 1, this.firstIndex())
    return this.slice(lo, this.committed + 1, this.maxCommittedBytes)
  }

  hasNextCommittedEntries(): boolean {
    if (this.hasPendingSnapshot()) return false
    return this.committed > Math.max(this.applied, this.firstIndex() - 1)
  }

  /** The snapshot to send a lagging follower: a pending incoming one, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot()
  }

  /** Raft §5.4.1: is a candidate's log (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm()
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex())
  }

  /** Replace the log by snapshot s (follower receiving MsgSnap); s becomes committed. */
  restore(s: Snapshot): void {
    this.committed = s.meta.index
    this.unstable.restore(s)
  }
}
