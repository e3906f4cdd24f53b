import {describe, expect, it} from 'vitest'
import {createSimWorld, type SimLogRecord} from '../../src/agent/env/sim.js'

describe('sim world: event order', () => {
  it('runs events by (virtual time, schedule order)', async () => {
    const w = createSimWorld(1)
    const env = w.envFor('a')
    const seen: string[] = []
    env.timers.after(20, () => seen.push(`b@${w.nowMs()}`))
    env.timers.after(10, () => seen.push(`a@${w.nowMs()}`))
    env.timers.after(20, () => seen.push(`c@${w.nowMs()}`))
    expect(await w.runUntil(100)).toBe(true)
    expect(seen).toEqual(['a@10', 'b@20', 'c@20'])
    expect(w.nowMs()).toBe(100)
    expect(w.eventCount()).toBe(3)
  })

  it('defer runs at the same virtual time, FIFO, after what is already due', async () => {
    const w = createSimWorld(1)
    const env = w.envFor('a')
    const seen: string[] = []
    env.timers.after(5, () => {
      seen.push('t1')
      env.timers.defer(() => seen.push(`d1@${w.nowMs()}`))
      env.timers.defer(() => seen.push(`d2@${w.nowMs()}`))
    })
    env.timers.after(5, () => seen.push('t2'))
    await w.runUntil(10)
    expect(seen).toEqual(['t1', 't2', 'd1@5', 'd2@5'])
  })

  it('every repeats until cancelled, also from inside its callback', async () => {
    const w = createSimWorld(1)
    const env = w.envFor('a')
    const at: number[] = []
    const h = env.timers.every(10, () => {
      at.push(w.nowMs())
      if (at.length === 3) h.cancel()
    })
    await w.runUntil(100)
    expect(at).toEqual([10, 20, 30])
    const late = env.timers.after(5, () => at.push(-1))
    late.cancel()
    await w.runUntil(200)
    expect(at).toEqual([10, 20, 30])
  })

  it('lets Promise reactions settle between events', async () => {
    const w = createSimWorld(1)
    const env = w.envFor('a')
    const seen: string[] = []
    const p = new Promise<void>((resolve) => env.timers.after(1, resolve))
    void p.then(() => Promise.resolve()).then(() => seen.push(`reaction@${w.nowMs()}`))
    env.timers.after(1, () => seen.push('second event'))
    await w.runUntil(5)
    expect(seen).toEqual(['reaction@1', 'second event'])
  })

  it('runUntil stops on a predicate, a deadline, maxEvents or when idle', async () => {
    const w = createSimWorld(1)
    const env = w.envFor('a')
    let n = 0
    env.timers.every(10, () => n++)
    expect(await w.runUntil(() => n === 3)).toBe(true)
    expect(w.nowMs()).toBe(30)
    expect(await w.runUntil(() => n === 100, {deadlineMs: 55})).toBe(false)
    expect(w.nowMs()).toBe(55)
    expect(n).toBe(5)
    expect(await w.runUntil(() => false, {maxEvents: 2})).toBe(false)
    expect(n).toBe(7)
    const idle = createSimWorld(2)
    expect(await idle.runUntil(() => false)).toBe(false)
  })
})

describe('sim world: clocks, pauses, randomness', () => {
  it('applies per-node clock skew and rate to clocks and timers', async () => {
    const w = createSimWorld(1, {wallBaseMs: 1_000_000})
    const fast = w.envFor('fast', {clockRate: 2, clockSkewMs: -500, monoStartMs: 7})
    const plain = w.envFor('plain')
    let firedAt = -1
    fast.timers.after(100, () => (firedAt = w.nowMs()))
    await w.runUntil(100)
    expect(firedAt).toBe(50) // 100 local ms at double speed
    expect(fast.clock.nowMs()).toBe(7 + 200)
    expect(fast.clock.wallMs()).toBe(1_000_000 - 500 + 200)
    expect(plain.clock.nowMs()).toBe(100)
    expect(plain.clock.wallMs()).toBe(1_000_100)
  })

  it('holds a paused owner’s events and releases them in order on resume; its clock keeps going', async () => {
    const w = createSimWorld(1)
    const a = w.envFor('a')
    const b = w.envFor('b')
    const seen: string[] = []
    a.timers.after(10, () => seen.push(`a1@${w.nowMs()}`))
    a.timers.after(20, () => seen.push(`a2@${w.nowMs()}`))
    b.timers.after(15, () => seen.push(`b@${w.nowMs()}`))
    w.pause('a')
    expect(w.isPaused('a')).toBe(true)
    await w.runUntil(50)
    expect(seen).toEqual(['b@15'])
    expect(a.clock.nowMs()).toBe(50)
    expect(w.pendingCount()).toBe(2)
    w.resume('a')
    await w.runUntil(60)
    expect(seen).toEqual(['b@15', 'a1@50', 'a2@50'])
  })

  it('derives independent, reproducible PRNG streams from the seed', () => {
    const draw = (seed: number, label: string) => Array.from({length: 5}, ((r) => () => r.int(1_000_000))(createSimWorld(seed).rng(label)))
    expect(draw(7, 'net')).toEqual(draw(7, 'net'))
    expect(draw(7, 'net')).not.toEqual(draw(7, 'workload'))
    expect(draw(7, 'net')).not.toEqual(draw(8, 'net'))
    // Each envFor call (a node incarnation) gets its own stream.
    const w = createSimWorld(7)
    const first = w.envFor('n1').random.int(1 << 30)
    const second = w.envFor('n1').random.int(1 << 30)
    expect(first).not.toBe(second)
  })

  it('gives equal digests for equal runs and different ones otherwise', async () => {
    const run = async (seed: number) => {
      const w = createSimWorld(seed)
      const env = w.envFor('a')
      const tick = () => env.timers.after(1 + env.random.int(10), tick)
      tick()
      await w.runUntil(500)
      return w.digest()
    }
    expect(await run(3)).toBe(await run(3))
    expect(await run(3)).not.toBe(await run(4))
  })

  it('collects log lines in a bounded ring and reports records to onLog', async () => {
    const recs: SimLogRecord[] = []
    const w = createSimWorld(1, {logs: 'collect', logLimit: 3, onLog: (r) => recs.push(r)})
    const log = w.envFor('n1').log.named('raft')
    for (let i = 0; i < 5; i++) log.info(`line ${i}`, {i})
    log.debug('hidden')
    expect(w.logs()).toHaveLength(3)
    expect(w.logs()[2]).toContain('n1.raft: line 4 {"i":4}')
    expect(recs.map((r) => r.msg)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4'])
    const silent = createSimWorld(1)
    silent.envFor('x').log.error('boom')
    expect(silent.logs()).toEqual([])
  })
})
