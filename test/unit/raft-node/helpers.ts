import {expect} from 'vitest'
import {RaftError} from '../../../src/agent/raft/node.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {seededRandom} from '../../../src/agent/env/prng.js'
import type {Env, Logger, TimerHandle} from '../../../src/agent/env/types.js'
import type {Snapshot} from '../../../src/agent/raft/core/types.js'
import type {Fsm} from '../../../src/agent/raft/fsm.js'
import {RaftStoreError} from '../../../src/store/raft/errors.js'
import type {PersistBatch, RaftStore} from '../../../src/store/raft/types.js'

/** A logger that keeps lines in memory (printed by tests only when useful). */
export function memoryLogger(lines: string[] = [], name = 'raft'): Logger {
  const emit = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${name}: ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`)
  }
  return {
    trace: () => {},
    debug: () => {},
    info: emit('INFO'),
    warn: emit('WARN'),
    error: emit('ERROR'),
    named: (sub) => memoryLogger(lines, `${name}.${sub}`),
    setLevel: () => {},
  }
}

interface Timer {
  at: number
  seq: number
  fn: () => void
  periodMs: number
  cancelled: boolean
}

/**
 * Virtual time for driving RaftNodes deterministically: timers fire in (time, sequence)
 * order, `defer` callbacks run before time advances, and Promise callbacks get to run
 * between events. Several nodes may share one VirtualTime (one Env per node).
 */
export class VirtualTime {
  nowMs = 0
  private seq = 0
  private timers: Timer[] = []
  private deferred: (() => void)[] = []

  env(seed: number, log: Logger = memoryLogger()): Env {
    return {
      clock: {nowMs: () => this.nowMs, wallMs: () => 1_700_000_000_000 + this.nowMs},
      timers: {
        after: (ms, fn) => this.add(ms, fn, 0),
        every: (ms, fn) => this.add(ms, fn, Math.max(1, ms)),
        defer: (fn) => {
          this.deferred.push(fn)
        },
      },
      random: seededRandom(seed),
      log,
    }
  }

  defer = (fn: () => void): void => {
    this.deferred.push(fn)
  }

  private add(ms: number, fn: () => void, periodMs: number): TimerHandle {
    const t: Timer = {at: this.nowMs + Math.max(0, ms), seq: this.seq++, fn, periodMs, cancelled: false}
    this.timers.push(t)
    return {cancel: () => void (t.cancelled = true)}
  }

  /** Runs one event (all deferred callbacks, else the earliest timer); false when idle. */
  private step(): boolean {
    if (this.deferred.length > 0) {
      const batch = this.deferred
      this.deferred = []
      for (const fn of batch) fn()
      return true
    }
    this.timers = this.timers.filter((t) => !t.cancelled)
    if (this.timers.length === 0) return false
    let next = this.timers[0]!
    for (const t of this.timers) if (t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t
    this.nowMs = Math.max(this.nowMs, next.at)
    if (next.periodMs > 0) {
      next.at += next.periodMs
      next.seq = this.seq++
    } else {
      next.cancelled = true
    }
    next.fn()
    return true
  }

  /** Runs events until cond() holds; throws after maxMs of virtual time. */
  async until(cond: () => boolean, maxMs = 60_000, what = 'condition'): Promise<void> {
    const deadline = this.nowMs + maxMs
    let n = 0
    while (!cond()) {
      if (this.nowMs > deadline) throw new Error(`timed out after ${maxMs} virtual ms waiting for ${what}`)
      if (!this.step()) throw new Error(`idle before ${what}`)
      // Let promise reactions run between events (cheap microtask flush, periodic full turn).
      await Promise.resolve()
      if (++n % 64 === 0) await new Promise((r) => setImmediate(r))
    }
  }

  /** Waits for a promise while running events. */
  async settle<T>(p: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false
    const tracked = p.finally(() => {
      done = true
    })
    tracked.catch(() => {})
    await this.until(() => done, maxMs, 'promise')
    return tracked
  }

  /** Advances virtual time by ms, running everything due. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms
    this.add(ms, () => {}, 0)
    await this.until(() => this.nowMs >= target, ms + 1, `advance ${ms}`)
  }
}

/** Toy FSM: a Map of string keys. Command = JSON {k, v}; result = {index, prev}. */
export class MapFsm implements Fsm {
  map = new Map<string, string>()
  applied: number[] = []
  restores = 0

  apply(index: number, _term: number, data: Uint8Array): unknown {
    const {k, v} = JSON.parse(new TextDecoder().decode(data)) as {k: string; v: string}
    const prev = this.map.get(k)
    this.map.set(k, v)
    this.applied.push(index)
    return {index, prev}
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.map]))
  }

  restore(data: Uint8Array, _index: number, _term: number): void {
    this.restores++
    this.map = new Map(data.byteLength === 0 ? [] : (JSON.parse(new TextDecoder().decode(data)) as [string, string][]))
    this.applied = []
  }
}

export const cmd = (k: string, v: string) => new TextEncoder().encode(JSON.stringify({k, v}))

export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'dc-raft-node-'))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** Delegating RaftStore that counts writes and can be told to fail the next persist. */
export class InstrumentedStore implements RaftStore {
  persists = 0
  persistedEntries = 0
  failNextPersist = false

  constructor(readonly inner: RaftStore) {}

  persist(batch: PersistBatch): void {
    if (this.failNextPersist && batch.entries.length > 0) {
      this.failNextPersist = false
      throw new RaftStoreError('io', 'injected disk failure')
    }
    this.inner.persist(batch)
    this.persists++
    this.persistedEntries += batch.entries.length
  }

  initialState() { return this.inner.initialState() }
  entries(lo: number, hi: number, maxBytes?: number) { return this.inner.entries(lo, hi, maxBytes) }
  term(i: number) { return this.inner.term(i) }
  firstIndex() { return this.inner.firstIndex() }
  lastIndex() { return this.inner.lastIndex() }
  snapshot() { return this.inner.snapshot() }
  saveSnapshot(s: Snapshot) { this.inner.saveSnapshot(s) }
  compact(i: number) { this.inner.compact(i) }
  latestSnapshot() { return this.inner.latestSnapshot() }
  close() { this.inner.close() }
}

/** Awaits a promise that must reject with a RaftError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<RaftError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(RaftError)
    return err as RaftError
  }
  throw new Error('expected a rejection')
}
