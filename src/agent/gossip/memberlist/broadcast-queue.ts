/**
 * Piggybacked broadcasts with a bounded number of transmissions (memberlist's
 * TransmitLimitedQueue). A newer broadcast about the same node replaces the older
 * one; the least-transmitted go first; each is sent retransmitLimit times, then
 * dropped. `maxDepth` bounds memory when nobody is around to hear them.
 */
export interface Broadcast {
  /** Node name for memberlist's alive/suspect/dead, or undefined for broadcasts that never replace others. */
  key?: string
  msg: Uint8Array
  /** Called once the broadcast has been sent its last time or was replaced (leave waits on it). */
  done?: () => void
}

interface Entry extends Broadcast {
  transmits: number
  seq: number
  /** False once sent its last time, replaced or dropped; removed from its level lazily. */
  live: boolean
}

/**
 * Entries are kept in levels by transmit count, each level oldest first, so a
 * packet is filled by walking levels upwards and each level newest first — the
 * order of a full sort by (transmits, newest), without sorting the whole queue
 * for every packet: during a join burst a member holds one broadcast per new
 * member and fills a dozen packets a second.
 */
export class BroadcastQueue {
  private levels: Entry[][] = []
  private readonly byKey = new Map<string, Entry>()
  private count = 0
  private seq = 0
  /** Shortest message queued since the queue was last empty: nothing shorter can fit. */
  private minLen = Infinity

  constructor(private readonly limit: () => number, private readonly maxDepth = 4096) {}

  queue(b: Broadcast): void {
    if (b.key !== undefined) {
      const old = this.byKey.get(b.key)
      if (old) this.finish(old)
    }
    const e: Entry = {...b, transmits: 0, seq: this.seq++, live: true}
    ;(this.levels[0] ??= []).push(e)
    if (b.key !== undefined) this.byKey.set(b.key, e)
    this.count++
    this.minLen = Math.min(this.minLen, b.msg.length)
    while (this.count > this.maxDepth) {
      // Drop the most-transmitted (oldest among equals): they have had their chance.
      const worst = this.oldestInHighestLevel()
      if (!worst) break
      this.finish(worst)
    }
  }

  /** Messages that fit in `limit` bytes, each costing `overhead` more; least transmitted and newest first. */
  get(overhead: number, limit: number): Uint8Array[] {
    if (this.count === 0) return []
    const max = this.limit()
    const out: Uint8Array[] = []
    let used = 0
    const full = () => limit - used < overhead + this.minLen
    // Entries sent in this call move up a level only afterwards, so none is taken twice.
    const promoted: Entry[][] = []
    for (let t = 0; t < this.levels.length && !full(); t++) {
      const level = this.levels[t]
      if (!level || level.length === 0) continue
      const skipped: Entry[] = []
      let i = level.length - 1
      for (; i >= 0 && !full(); i--) {
        const e = level[i]
        if (!e.live) continue
        if (used + overhead + e.msg.length > limit) {
          skipped.push(e)
          continue
        }
        used += overhead + e.msg.length
        out.push(e.msg)
        e.transmits++
        if (e.transmits >= max) this.finish(e)
        else (promoted[t + 1] ??= []).push(e)
      }
      // Keep the unvisited head, then what was visited but did not fit (back in age order).
      level.length = i + 1
      for (let j = skipped.length - 1; j >= 0; j--) level.push(skipped[j])
    }
    promoted.forEach((moved, t) => {
      // Collected newest first; the level is oldest first.
      this.levels[t] = mergeBySeq(this.levels[t] ?? [], moved.reverse())
    })
    return out
  }

  size(): number {
    return this.count
  }

  reset(): void {
    for (const level of this.levels) for (const e of level) if (e.live) this.finish(e)
    this.levels = []
  }

  private finish(e: Entry): void {
    if (!e.live) return
    e.live = false
    this.count--
    if (e.key !== undefined && this.byKey.get(e.key) === e) this.byKey.delete(e.key)
    if (this.count === 0) {
      this.levels = []
      this.minLen = Infinity
    }
    e.done?.()
  }

  private oldestInHighestLevel(): Entry | undefined {
    for (let t = this.levels.length - 1; t >= 0; t--) {
      const level = this.levels[t]
      if (!level) continue
      let i = 0
      while (i < level.length && !level[i].live) i++
      if (i > 0) level.splice(0, i)
      if (level.length > 0) return level[0]
    }
    return undefined
  }
}

function mergeBySeq(a: Entry[], b: Entry[]): Entry[] {
  if (a.length === 0) return b
  if (a[a.length - 1].seq < b[0].seq) {
    // All newer than what is there (the common case): append in place.
    for (const e of b) a.push(e)
    return a
  }
  const out: Entry[] = []
  let i = 0, j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].seq < b[j].seq)) {
      if (a[i].live) out.push(a[i])
      i++
    } else out.push(b[j++])
  }
  return out
}
