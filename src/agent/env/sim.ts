import {seededRandom} from './prng.js'
import type {Env, LogLevel, Logger, Random, TimerHandle} from './types.js'

/**
 * A simulated world for deterministic runs (TigerBeetle VOPR / FoundationDB style):
 * one virtual clock and one event heap ordered by (virtual time, sequence number).
 * Every Env handed out schedules its timers and deferred callbacks on that heap, so a
 * run is a pure function of the seed: same seed, same event order, same outcome.
 *
 * Promise reactions are not events: `runUntil` lets the microtask queue drain after
 * each event (via `settle`), so `await` chains in drivers and clients run "inside" the
 * event that resolved them, before virtual time moves on.
 */

const LEVELS: Record<LogLevel, number> = {trace: 0, debug: 1, info: 2, warn: 3, error: 4}

export interface SimLogRecord {
  atMs: number
  level: LogLevel
  /** Logger name, prefixed with the env's node name ("n1.raft"). */
  name: string
  msg: string
  fields?: Record<string, unknown>
}

export interface SimWorldOptions {
  /** 'collect' keeps the last `logLimit` lines (see world.logs()); 'silent' (default) keeps none. */
  logs?: 'silent' | 'collect'
  /** Lines below this level are neither collected nor passed to onLog (default 'info'). */
  logLevel?: LogLevel
  /** Ring-buffer size for collected lines (default 2000). */
  logLimit?: number
  /** Sees every log record at or above logLevel (e.g. to turn error lines into violations). */
  onLog?: (rec: SimLogRecord) => void
  /**
   * Lets pending Promise reactions run between events. The default waits one
   * setImmediate turn, which Node only takes once the microtask queue is empty. It
   * carries no virtual time and so cannot change the event order.
   */
  settle?: () => Promise<void>
  /** Wall-clock epoch of virtual time 0 (default 1_700_000_000_000). */
  wallBaseMs?: number
}

export interface SimEnvOptions {
  /** Offset of this node's wall clock from the world's (may be negative). */
  clockSkewMs?: number
  /** Local clock rate: 1.05 means this node's clock (and timers) run 5% fast. Default 1. */
  clockRate?: number
  /** Value of the monotonic clock at virtual time 0 (default 0; must be ≥ 0). */
  monoStartMs?: number
}

export interface RunOptions {
  /** Give up (return false) once virtual time would pass this point. */
  deadlineMs?: number
  /** Give up (return false) after this many events in this call. */
  maxEvents?: number
}

interface SimEvent {
  atMs: number
  seq: number
  owner: string
  label: string
  fn: () => void
  cancelled: boolean
}

export interface SimWorld {
  readonly seed: number
  /** World virtual time in ms. */
  nowMs(): number
  /** Events executed so far (cancelled or held events do not count). */
  eventCount(): number
  /** Pending events, including ones held for paused owners. */
  pendingCount(): number
  /** A running hash of (time, owner, label) of every executed event: equal runs give equal digests. */
  digest(): string
  /** An Env for node `name`: its timers are heap events owned by `name`. */
  envFor(name: string, opts?: SimEnvOptions): Env
  /** An independent PRNG stream derived from the world seed and `label` (same label, same stream). */
  rng(label: string): Random
  /** Schedules fn at now + delayMs (world time) as an event owned by `owner`. */
  schedule(owner: string, delayMs: number, fn: () => void, label?: string): TimerHandle
  /** Holds `owner`'s events (a paused process): they run, in order, after resume(). Its clock keeps going. */
  pause(owner: string): void
  resume(owner: string): void
  isPaused(owner: string): boolean
  /** Runs the next event synchronously; false when nothing is left. Promise reactions do not run. */
  step(): boolean
  /**
   * Runs events (letting Promise reactions settle after each) until `stop` holds (a
   * predicate, checked before every event) or virtual time reaches `stop` (a number).
   * Returns true when the stop condition was met, false on deadline, maxEvents or idle.
   */
  runUntil(stop: (() => boolean) | number, opts?: RunOptions): Promise<boolean>
  /** Collected log lines, oldest first (empty in 'silent' mode). */
  logs(): string[]
}

export function createSimWorld(seed: number, opts: SimWorldOptions = {}): SimWorld {
  return new World(seed >>> 0, opts)
}

/** 32-bit FNV-1a over a string, for stream derivation and the event digest. */
export function fnv1a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** Mixes two 32-bit values into a well-spread seed (murmur3 finaliser). */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

class World implements SimWorld {
  private now = 0
  private seqNext = 0
  private executed = 0
  private hash = 0x811c9dc5
  private readonly heap: SimEvent[] = []
  private readonly held = new Map<string, SimEvent[]>()
  private readonly paused = new Set<string>()
  private readonly incarnations = new Map<string, number>()
  private readonly lines: string[] = []
  private readonly settle: () => Promise<void>
  private readonly logLevel: number
  private readonly logLimit: number
  private readonly collect: boolean
  private readonly wallBaseMs: number

  constructor(
    readonly seed: number,
    private readonly opts: SimWorldOptions,
  ) {
    this.settle = opts.settle ?? (() => new Promise<void>((resolve) => setImmediate(resolve)))
    this.logLevel = LEVELS[opts.logLevel ?? 'info']
    this.logLimit = opts.logLimit ?? 2000
    this.collect = opts.logs === 'collect'
    this.wallBaseMs = opts.wallBaseMs ?? 1_700_000_000_000
  }

  nowMs(): number {
    return this.now
  }

  eventCount(): number {
    return this.executed
  }

  pendingCount(): number {
    let n = this.heap.length
    for (const h of this.held.values()) n += h.length
    return n
  }

  digest(): string {
    return `${this.executed}:${this.hash.toString(16).padStart(8, '0')}`
  }

  rng(label: string): Random {
    return seededRandom(mix(this.seed, fnv1a(label)))
  }

  schedule(owner: string, delayMs: number, fn: () => void, label = 'event'): TimerHandle {
    const ev: SimEvent = {atMs: this.now + Math.max(0, delayMs), seq: this.seqNext++, owner, label, fn, cancelled: false}
    this.push(ev)
    return {cancel: () => void (ev.cancelled = true)}
  }

  pause(owner: string): void {
    this.paused.add(owner)
  }

  resume(owner: string): void {
    if (!this.paused.delete(owner)) return
    const held = this.held.get(owner) ?? []
    this.held.delete(owner)
    // Held events run now, in their original order, after what is already due now.
    for (const ev of held) {
      ev.atMs = this.now
      ev.seq = this.seqNext++
      this.push(ev)
    }
  }

  isPaused(owner: string): boolean {
    return this.paused.has(owner)
  }

  step(): boolean {
    for (;;) {
      const ev = this.pop()
      if (!ev) return false
      if (ev.cancelled) continue
      if (this.paused.has(ev.owner)) {
        const list = this.held.get(ev.owner) ?? []
        list.push(ev)
        this.held.set(ev.owner, list)
        continue
      }
      this.now = Math.max(this.now, ev.atMs)
      this.executed++
      this.hash = fnv1a(`${ev.atMs}|${ev.owner}|${ev.label};`, this.hash)
      ev.fn()
      return true
    }
  }

  async runUntil(stop: (() => boolean) | number, opts: RunOptions = {}): Promise<boolean> {
    const predicate = typeof stop === 'function' ? stop : () => this.now >= stop
    const deadline = Math.min(opts.deadlineMs ?? Infinity, typeof stop === 'number' ? stop : Infinity)
    const maxEvents = opts.maxEvents ?? Infinity
    let n = 0
    await this.settle()
    for (;;) {
      if (predicate()) return true
      if (n >= maxEvents) return false
      const next = this.peekLive()
      if (!next || next.atMs > deadline) {
        // Nothing more before the deadline: time still moves up to it.
        if (deadline !== Infinity) this.now = Math.max(this.now, deadline)
        return predicate()
      }
      this.step()
      n++
      await this.settle()
    }
  }

  logs(): string[] {
    return [...this.lines]
  }

  envFor(name: string, o: SimEnvOptions = {}): Env {
    const rate = o.clockRate ?? 1
    if (!(rate > 0)) throw new RangeError(`clockRate must be > 0, got ${rate}`)
    const mono0 = o.monoStartMs ?? 0
    if (mono0 < 0) throw new RangeError('monoStartMs must be >= 0')
    const skew = o.clockSkewMs ?? 0
    const inc = (this.incarnations.get(name) ?? 0) + 1
    this.incarnations.set(name, inc)
    // Local durations run `rate` times as fast as world time.
    const worldDelay = (ms: number) => Math.max(0, ms) / rate
    const every = (ms: number, fn: () => void): TimerHandle => {
      const period = worldDelay(Math.max(1, ms))
      let current: TimerHandle | undefined
      let cancelled = false
      const arm = () => {
        current = this.schedule(name, period, () => {
          if (cancelled) return
          arm() // re-arm first so fn may cancel it
          fn()
        }, 'every')
      }
      arm()
      return {cancel: () => {
        cancelled = true
        current?.cancel()
      }}
    }
    return {
      clock: {
        nowMs: () => mono0 + this.now * rate,
        wallMs: () => this.wallBaseMs + skew + this.now * rate,
      },
      timers: {
        after: (ms, fn) => this.schedule(name, worldDelay(ms), fn, 'after'),
        every,
        defer: (fn) => void this.schedule(name, 0, fn, 'defer'),
      },
      random: this.rng(`env:${name}#${inc}`),
      log: this.logger(name),
    }
  }

  private logger(name: string): Logger {
    const state = {level: this.logLevel}
    const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (LEVELS[level] < state.level) return
      const rec: SimLogRecord = {atMs: this.now, level, name, msg}
      if (fields) rec.fields = fields
      this.opts.onLog?.(rec)
      if (!this.collect) return
      const kv = fields ? ' ' + safeJson(fields) : ''
      this.lines.push(`${this.now.toFixed(3).padStart(10)} ${level.toUpperCase().padEnd(5)} ${name}: ${msg}${kv}`)
      if (this.lines.length > this.logLimit) this.lines.splice(0, this.lines.length - this.logLimit)
    }
    return {
      trace: (m, f) => emit('trace', m, f),
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      named: (sub) => this.logger(`${name}.${sub}`),
      setLevel: (l) => void (state.level = LEVELS[l]),
    }
  }

  // ---- binary heap on (atMs, seq) ---------------------------------------------------

  private peekLive(): SimEvent | undefined {
    // Drop cancelled and paused-owner events from the top so the deadline test sees a real event.
    for (;;) {
      const top = this.heap[0]
      if (!top) return undefined
      if (top.cancelled) {
        this.pop()
        continue
      }
      if (this.paused.has(top.owner)) {
        this.pop()
        const list = this.held.get(top.owner) ?? []
        list.push(top)
        this.held.set(top.owner, list)
        continue
      }
      return top
    }
  }

  private push(ev: SimEvent): void {
    const h = this.heap
    h.push(ev)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  private pop(): SimEvent | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && before(h[l]!, h[m]!)) m = l
      if (r < h.length && before(h[r]!, h[m]!)) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m]!, h[i]!]
      i = m
    }
    return top
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.byteLength} bytes>` : x))
  } catch {
    return '<unserialisable>'
  }
}
