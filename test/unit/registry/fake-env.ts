import {seededRandom} from '../../../src/agent/env/prng.js'
import type {Env, Logger} from '../../../src/agent/env/types.js'

interface Timer {
  at: number
  seq: number
  fn: () => void
  every?: number
  cancelled: boolean
}

/** A virtual-time Env: timers fire only when the test advances the clock. */
export interface FakeEnv extends Env {
  /** Move time forward, firing due timers (and deferred callbacks) in order. */
  advance(ms: number): void
  /** Jump to the next pending timer and fire it (and whatever is due with it). */
  advanceToNext(): void
  /** Run deferred callbacks and zero-delay timers. */
  flush(): void
  now(): number
  pendingTimers(): number
  logs: {level: string; msg: string; fields?: Record<string, unknown>}[]
}

export function createFakeEnv(seed = 1): FakeEnv {
  let now = 0
  let seq = 0
  const timers: Timer[] = []
  const deferred: (() => void)[] = []
  const logs: FakeEnv['logs'] = []
  const rnd = seededRandom(seed)
  const add = (ms: number, fn: () => void, every?: number) => {
    const t: Timer = {at: now + Math.max(0, ms), seq: seq++, fn, every, cancelled: false}
    timers.push(t)
    return {cancel: () => void (t.cancelled = true)}
  }
  const runDeferred = () => {
    while (deferred.length) deferred.shift()!()
  }
  const next = (limit: number): Timer | undefined => {
    let best: Timer | undefined
    for (const t of timers) if (!t.cancelled && t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t
    return best
  }
  const log = (name: string): Logger => ({
    trace: (msg, fields) => void logs.push({level: 'trace', msg, fields}),
    debug: (msg, fields) => void logs.push({level: 'debug', msg, fields}),
    info: (msg, fields) => void logs.push({level: 'info', msg, fields}),
    warn: (msg, fields) => void logs.push({level: 'warn', msg, fields}),
    error: (msg, fields) => void logs.push({level: 'error', msg, fields}),
    named: (n) => log(`${name}.${n}`),
    setLevel: () => {},
  })
  const env: FakeEnv = {
    clock: {nowMs: () => now, wallMs: () => 1_700_000_000_000 + now},
    timers: {
      after: (ms, fn) => add(ms, fn),
      every: (ms, fn) => add(ms, fn, Math.max(1, ms)),
      defer: (fn) => void deferred.push(fn),
    },
    random: rnd,
    log: log('agent'),
    logs,
    now: () => now,
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
    flush() {
      runDeferred()
      for (let t = next(now); t; t = next(now)) {
        fire(t)
        runDeferred()
      }
    },
    advanceToNext() {
      env.flush()
      const t = next(Infinity)
      if (t) env.advance(t.at - now)
    },
    advance(ms: number) {
      const target = now + ms
      env.flush()
      for (let t = next(target); t; t = next(target)) {
        now = Math.max(now, t.at)
        fire(t)
        runDeferred()
      }
      now = target
    },
  }
  const fire = (t: Timer) => {
    if (t.every) t.at += t.every
    else {
      t.cancelled = true
      timers.splice(timers.indexOf(t), 1)
    }
    t.fn()
  }
  return env
}

/** Poll (real time) until fn returns truthy; for probes that settle on real sockets. */
export async function until<T>(fn: () => T, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
