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
}

export class BroadcastQueue {
  private entries: Entry[] = []
  private seq = 0

  constructor(private readonly limit: () => number, private readonly maxDepth = 4096) {}

  queue(b: Broadcast): void {
    if (b.key !== undefined) {
      const i = this.entries.findIndex((e) => e.key === b.key)
      if (i >= 0) {
        this.entries[i].done?.()
        this.entries.splice(i, 1)
      }
    }
    this.entries.push({...b, transmits: 0, seq: this.seq++})
    while (this.entries.length > this.maxDepth) {
      // Drop the most-transmitted (oldest among equals): they have had their chance.
      let worst = 0
      for (let i = 1; i < this.entries.length; i++) {
        const a = this.entries[i], w = this.entries[worst]
        if (a.transmits > w.transmits || (a.transmits === w.transmits && a.seq < w.seq)) worst = i
      }
      this.entries[worst].done?.()
      this.entries.splice(worst, 1)
    }
  }

  /** Messages that fit in `limit` bytes, each costing `overhead` more; least transmitted and newest first. */
  get(overhead: number, limit: number): Uint8Array[] {
    if (this.entries.length === 0) return []
    const max = this.limit()
    this.entries.sort((a, b) => a.transmits - b.transmits || b.seq - a.seq)
    const out: Uint8Array[] = []
    let used = 0
    const keep: Entry[] = []
    for (const e of this.entries) {
      if (used + overhead + e.msg.length > limit) {
        keep.push(e)
        continue
      }
      used += overhead + e.msg.length
      out.push(e.msg)
      e.transmits++
      if (e.transmits >= max) e.done?.()
      else keep.push(e)
    }
    this.entries = keep
    return out
  }

  size(): number {
    return this.entries.length
  }

  reset(): void {
    for (const e of this.entries) e.done?.()
    this.entries = []
  }
}
