/**
 * Decides when tombstones may be reaped (Consul's TombstoneGC): a delete's tombstone
 * is kept for `ttlMs` (default 15 minutes) so blocking queries and `?index` readers see
 * indexes that never go backwards, then reaped in batches. Pure: the leader feeds it
 * (time, index) samples every `granularityMs` and asks what to reap.
 */
export class TombstoneGc {
  private readonly samples: {atMs: number; index: number}[] = []
  private reapedTo = 0

  constructor(private readonly ttlMs: number) {}

  /** Records that at `atMs` the store's tombstone index was `index`. */
  sample(atMs: number, index: number): void {
    const last = this.samples[this.samples.length - 1]
    if (last && last.index === index) return
    this.samples.push({atMs, index})
  }

  /** The index up to which tombstones are old enough to reap, or 0 when there is nothing new. */
  due(nowMs: number): number {
    let upTo = 0
    while (this.samples.length && this.samples[0].atMs <= nowMs - this.ttlMs) upTo = this.samples.shift()!.index
    if (upTo <= this.reapedTo) return 0
    this.reapedTo = upTo
    return upTo
  }

  /** Leadership lost: a new leader starts its own clock, as Consul's does. */
  reset(): void {
    this.samples.length = 0
  }
}
