import type {Entry, Snapshot} from './types.js'

/**
 * The part of the log not yet known to be durable: an optional incoming snapshot and the
 * entries after it (or after storage's last index). entries[k].index === offset + k.
 * Everything here is handed to the driver in Ready and dropped once advance() confirms it
 * was persisted (stableTo / stableSnapTo).
 */
export class Unstable {
  snapshot: Snapshot | undefined
  entries: Entry[] = []

  constructor(public offset: number) {}

  /** First log index if the unstable snapshot defines it. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.meta.index + 1 : undefined
  }

  /** Last log index if known from unstable entries or the unstable snapshot. */
  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    return this.snapshot?.meta.index
  }

  /** Term of index i if it is held here (an unstable entry or the snapshot's own point). */
  maybeTerm(i: number): number | undefined {
    if (i < this.offset) return this.snapshot && this.snapshot.meta.index === i ? this.snapshot.meta.term : undefined
    const last = this.maybeLastIndex()
    if (last === undefined || i > last) return undefined
    return this.entries[i - this.offset]!.term
  }

  /**
   * Entries up to i are durable. Only trims when the entry at i still has term t: if the
   * tail was rewritten since the Ready was taken, the rewritten entries stay unstable and
   * will be persisted (again) by the next Ready.
   */
  stableTo(i: number, t: number): void {
    if (i < this.offset || this.maybeTerm(i) !== t) return
    this.entries = this.entries.slice(i + 1 - this.offset)
    this.offset = i + 1
  }

  stableSnapTo(i: number): void {
    if (this.snapshot && this.snapshot.meta.index === i) this.snapshot = undefined
  }

  /** Replaces the whole log view by snapshot s. */
  restore(s: Snapshot): void {
    this.offset = s.meta.index + 1
    this.entries = []
    this.snapshot = s
  }

  /** Appends ents, first dropping any unstable suffix from ents[0].index on. */
  truncateAndAppend(ents: Entry[]): void {
    const after = ents[0]!.index
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents)
    } else if (after <= this.offset) {
      // Replaces everything unstable; the driver's append truncates storage from `after` too.
      this.offset = after
      this.entries = ents.slice()
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(ents)
    }
  }

  /** Entries [lo, hi) with offset <= lo <= hi <= offset + entries.length. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
