import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {BroadcastQueue} from '../../../src/agent/gossip/memberlist/broadcast-queue.js'
import {retransmitLimit} from '../../../src/agent/gossip/memberlist/config.js'

const msg = (tag: number, len = 10) => new Uint8Array(len).fill(tag)
const tags = (out: Uint8Array[]) => out.map((m) => m[0])

describe('broadcast queue (memberlist TransmitLimitedQueue)', () => {
  it('sends each broadcast exactly retransmitLimit times, then calls done once', () => {
    const limit = retransmitLimit(4, 9) // 4 × ceil(log10(10)) = 4
    expect(limit).toBe(4)
    const q = new BroadcastQueue(() => limit)
    let done = 0
    q.queue({key: 'a', msg: msg(1), done: () => done++})
    let sent = 0
    for (let i = 0; i < 10; i++) sent += q.get(2, 1400).length
    expect(sent).toBe(limit)
    expect(done).toBe(1)
    expect(q.size()).toBe(0)
  })

  it('scales the limit with the pool: mult × ceil(log10(n + 1))', () => {
    expect([1, 9, 10, 99, 100, 999, 1000].map((n) => retransmitLimit(4, n))).toEqual([4, 4, 8, 8, 12, 12, 16])
  })

  it('replaces an older broadcast about the same node, finishing the old one', () => {
    const q = new BroadcastQueue(() => 3)
    let oldDone = 0
    q.queue({key: 'n1', msg: msg(1), done: () => oldDone++})
    q.queue({key: 'n2', msg: msg(2)})
    q.queue({key: 'n1', msg: msg(3)})
    expect(oldDone).toBe(1)
    expect(q.size()).toBe(2)
    expect(tags(q.get(2, 1400)).sort()).toEqual([2, 3])
  })

  it('never lets keyless broadcasts (Serf intents, events) replace each other', () => {
    const q = new BroadcastQueue(() => 3)
    q.queue({msg: msg(1)})
    q.queue({msg: msg(2)})
    expect(q.size()).toBe(2)
  })

  it('sends the least-transmitted first, newest first among equals, and keeps what does not fit', () => {
    const q = new BroadcastQueue(() => 5)
    q.queue({key: 'old', msg: msg(1)})
    expect(tags(q.get(2, 1400))).toEqual([1])
    q.queue({key: 'a', msg: msg(2)})
    q.queue({key: 'b', msg: msg(3)})
    // Room for two 10-byte messages with 2 bytes of overhead each.
    expect(tags(q.get(2, 24))).toEqual([3, 2])
    q.queue({key: 'c', msg: msg(4, 100)})
    // The big one is untransmitted, so first in line, but it does not fit: the rest
    // (all sent once) go newest first.
    expect(tags(q.get(2, 30))).toEqual([3, 2])
    // Now: 4 (never sent), 1 (once), 3 and 2 (twice, newest first).
    expect(tags(q.get(2, 1400))).toEqual([4, 1, 3, 2])
  })

  it('bounds its depth by dropping the most-transmitted, oldest first', () => {
    const q = new BroadcastQueue(() => 10, 3)
    const dropped: number[] = []
    q.queue({key: 'a', msg: msg(1), done: () => dropped.push(1)})
    q.get(2, 1400)
    q.queue({key: 'b', msg: msg(2), done: () => dropped.push(2)})
    q.queue({key: 'c', msg: msg(3), done: () => dropped.push(3)})
    q.queue({key: 'd', msg: msg(4), done: () => dropped.push(4)})
    expect(dropped).toEqual([1])
    q.queue({key: 'e', msg: msg(5), done: () => dropped.push(5)})
    expect(dropped).toEqual([1, 2])
    expect(q.size()).toBe(3)
  })

  it('reset finishes everything', () => {
    const q = new BroadcastQueue(() => 3)
    let done = 0
    for (let i = 0; i < 4; i++) q.queue({msg: msg(i), done: () => done++})
    q.reset()
    expect(done).toBe(4)
    expect(q.get(2, 1400)).toEqual([])
  })
})

/** The queue's contract as a plain full sort per call: what the levels must reproduce. */
class ReferenceQueue {
  private entries: {key?: string; msg: Uint8Array; transmits: number; seq: number}[] = []
  private seq = 0
  constructor(private readonly max: number) {}
  queue(key: string | undefined, m: Uint8Array): void {
    if (key !== undefined) this.entries = this.entries.filter((e) => e.key !== key)
    this.entries.push({key, msg: m, transmits: 0, seq: this.seq++})
  }
  get(overhead: number, limit: number): Uint8Array[] {
    this.entries.sort((a, b) => a.transmits - b.transmits || b.seq - a.seq)
    const out: Uint8Array[] = []
    let used = 0
    this.entries = this.entries.filter((e) => {
      if (used + overhead + e.msg.length > limit) return true
      used += overhead + e.msg.length
      out.push(e.msg)
      return ++e.transmits < this.max
    })
    return out
  }
}

describe('broadcast queue against a full-sort reference', () => {
  it('sends the same messages in the same order over random workloads', () => {
    const rng = seededRandom(99)
    for (let round = 0; round < 30; round++) {
      const max = 1 + rng.int(6)
      const q = new BroadcastQueue(() => max)
      const ref = new ReferenceQueue(max)
      let id = 0
      for (let step = 0; step < 300; step++) {
        if (rng.float() < 0.6) {
          const key = rng.float() < 0.7 ? `n${rng.int(12)}` : undefined
          const m = new Uint8Array(4 + rng.int(60))
          new DataView(m.buffer).setUint32(0, id++)
          q.queue({key, msg: m})
          ref.queue(key, m)
        } else {
          const limit = 20 + rng.int(300)
          expect(q.get(2, limit), `round ${round} step ${step}`).toEqual(ref.get(2, limit))
        }
      }
    }
  })
})
