import {describe, expect, it} from 'vitest'
import type {TimerHandle, Timers} from '../../../src/agent/env/types.js'
import {suspicionTimeoutMs} from '../../../src/agent/gossip/memberlist/config.js'
import {remainingSuspicionMs, Suspicion} from '../../../src/agent/gossip/memberlist/suspicion.js'

/** Manual timers: the test moves time and fires what is due. */
function manualTimers() {
  let now = 0
  const pending: {at: number; fn: () => void; live: boolean}[] = []
  const timers: Timers = {
    after(ms, fn): TimerHandle {
      const t = {at: now + ms, fn, live: true}
      pending.push(t)
      return {cancel: () => void (t.live = false)}
    },
    every: () => { throw new Error('unused') },
    defer: (fn) => void fn(),
  }
  return {
    timers,
    now: () => now,
    advance(to: number) {
      now = to
      for (const t of pending) if (t.live && t.at <= now) { t.live = false; t.fn() }
    },
    nextDue: () => Math.min(...pending.filter((t) => t.live).map((t) => t.at)),
  }
}

describe('Lifeguard suspicion timer', () => {
  it('sizes the minimum timeout as mult × max(1, log10 n) × probe interval', () => {
    expect(suspicionTimeoutMs(4, 1, 1000)).toBe(4000)
    expect(suspicionTimeoutMs(4, 10, 1000)).toBe(4000)
    expect(suspicionTimeoutMs(4, 100, 1000)).toBe(8000)
    expect(suspicionTimeoutMs(4, 1000, 1000)).toBe(12000)
    expect(suspicionTimeoutMs(4, 50, 1000)).toBe(4 * 1698)
  })

  it('shrinks from max towards min, log-scaled in the confirmations (memberlist remainingSuspicionTime)', () => {
    const [min, max, k] = [2000, 30000, 3]
    expect(remainingSuspicionMs(0, k, 0, min, max)).toBe(max)
    expect(remainingSuspicionMs(1, k, 0, min, max)).toBe(Math.floor(max - (Math.log(2) / Math.log(4)) * (max - min)))
    expect(remainingSuspicionMs(3, k, 0, min, max)).toBe(min)
    // Elapsed time counts against what is left, and may make it negative (fire now).
    expect(remainingSuspicionMs(1, k, 5000, min, max)).toBe(16000 - 5000)
    expect(remainingSuspicionMs(3, k, 9000, min, max)).toBe(min - 9000)
  })

  it('fires at max without confirmations, and at min when none are expected (k = 0)', () => {
    for (const [k, want] of [[3, 30000], [0, 2000]] as const) {
      const t = manualTimers()
      const fired: number[] = []
      new Suspicion('accuser', k, 2000, 30000, t.now(), t.timers, t.now, (n) => fired.push(n))
      expect(t.nextDue()).toBe(want)
      t.advance(want - 1)
      expect(fired).toEqual([])
      t.advance(want)
      expect(fired).toEqual([0])
    }
  })

  it('counts each independent peer once, not the accuser, at most k, and reschedules from the start', () => {
    const t = manualTimers()
    const fired: number[] = []
    const s = new Suspicion('a', 3, 2000, 30000, 0, t.timers, t.now, (n) => fired.push(n))
    t.advance(1000)
    expect(s.confirm('a')).toBe(false)
    expect(s.confirm('b')).toBe(true)
    expect(s.confirm('b')).toBe(false)
    expect(t.nextDue()).toBe(1000 + remainingSuspicionMs(1, 3, 1000, 2000, 30000))
    t.advance(1500)
    expect(s.confirm('c')).toBe(true)
    expect(s.confirm('d')).toBe(true)
    expect(s.confirm('e')).toBe(false)
    // Three of three: the timeout is min, counted from the start.
    expect(t.nextDue()).toBe(2000)
    t.advance(2000)
    expect(fired).toEqual([3])
  })

  it('fires at once when a late confirmation puts the deadline in the past', () => {
    const t = manualTimers()
    const fired: number[] = []
    const s = new Suspicion('a', 1, 2000, 30000, 0, t.timers, t.now, (n) => fired.push(n))
    t.advance(10_000)
    s.confirm('b')
    expect(t.nextDue()).toBe(10_000)
    t.advance(10_000)
    expect(fired).toEqual([1])
  })

  it('does not fire once cancelled (the node refuted)', () => {
    const t = manualTimers()
    const fired: number[] = []
    const s = new Suspicion('a', 0, 2000, 30000, 0, t.timers, t.now, (n) => fired.push(n))
    s.cancel()
    t.advance(60_000)
    expect(fired).toEqual([])
  })
})
