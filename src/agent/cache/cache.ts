import type {Env, Logger, TimerHandle} from '../env/types.js'

/**
 * The agent cache, as Consul's agent/cache: entries keyed by (type, request), one
 * fetch at a time per entry however many callers wait on it, background refresh by
 * blocking queries for the types that support it, and eviction once an entry has not
 * been read for its type's TTL (72 h by default, as Consul).
 */

/** How a type behaves (Consul's cache.RegisterOptions). */
export interface CacheTypeOptions {
  /** Keep a blocking query open to refresh the entry while it is in use. */
  refresh: boolean
  /** The fetch can block on an index, so ?index waits for a newer value. */
  supportsBlocking: boolean
  /** Evict after this long without a read (Consul: 72 h). */
  lastGetTtlMs?: number
  /** MaxQueryTime of a refresh's blocking query (Consul: 10 min). */
  queryTimeoutMs?: number
}

export interface FetchResult<T> {
  value: T
  /** Raft index of the value; a synthetic counter for types without one. */
  index: number
}

export interface CacheType<R, T> extends CacheTypeOptions {
  /** `signal` aborts when the cache stops (agent shutdown): a parked blocking query must not outlive it. */
  fetch(req: R, o: {minIndex: number; timeoutMs: number; last?: FetchResult<T>; signal: AbortSignal}): Promise<FetchResult<T>>
}

/** One read's wishes: a blocking index and wait, and Cache-Control (ignored by refresh types). */
export interface GetInfo {
  minIndex: number
  timeoutMs: number
  maxAgeMs?: number
  mustRevalidate?: boolean
  staleIfErrorMs?: number
}

export interface CacheMeta {
  /** Served from a value already in the cache (X-Cache: HIT). */
  hit: boolean
  /** Age header: since the fetch (simple types), or since contact with the servers was lost (refresh types; 0 while connected). */
  ageMs: number
  index: number
}

export const DEFAULT_LAST_GET_TTL_MS = 72 * 3600_000
export const DEFAULT_QUERY_TIMEOUT_MS = 10 * 60_000
/** Failures before a refresh backs off, and the longest pause (Consul's CacheRefreshBackoffMin / MaxWait). */
const BACKOFF_MIN_FAILURES = 3
const BACKOFF_MAX_MS = 60_000
/** A refresh blocking this long is connected (Consul uses 31 s: past a 30 s keepalive). */
const CONNECTED_AFTER_MS = 31_000

interface Entry {
  valid: boolean
  value?: unknown
  index: number
  fetchedAtMs: number
  error?: unknown
  fetching?: Promise<void>
  refreshPending: boolean
  /** A back-off pause before the next refresh. */
  refreshTimer?: TimerHandle
  /** When a refresh first failed since the last success (refresh types). */
  lostContactAtMs?: number
  lastGetMs: number
  expiry?: TimerHandle
  attempt: number
}

export class CacheStoppedError extends Error {}

export class AgentCache {
  private readonly types = new Map<string, CacheType<unknown, unknown>>()
  private readonly entries = new Map<string, Entry>()
  private stopped = false
  private readonly stopping = new AbortController()

  constructor(private readonly env: Env, private readonly log: Logger) {}

  register<R, T>(name: string, type: CacheType<R, T>): void {
    this.types.set(name, type as CacheType<unknown, unknown>)
  }

  /** Entries held (for tests and stats). */
  size(): number {
    return this.entries.size
  }

  /** Stops background refreshes and expiry timers; entries in flight finish on their own. */
  stop(): void {
    this.stopped = true
    this.stopping.abort()
    for (const e of this.entries.values()) {
      e.expiry?.cancel()
      e.refreshTimer?.cancel()
    }
    this.entries.clear()
  }

  /**
   * The value for (type, key), waiting for a fetch when there is none, when ?index asks
   * for a newer one, or when Cache-Control says the cached one is too old (simple types).
   * A blocking read that times out answers the value it has, as a blocking query does.
   */
  async get<T>(name: string, key: string, req: unknown, info: GetInfo, signal?: AbortSignal): Promise<{value: T; meta: CacheMeta}> {
    const t = this.types.get(name)
    if (!t) throw new Error(`unknown type in cache: ${name}`)
    const full = `${name}/${key}`
    const clock = this.env.clock
    const deadline = info.timeoutMs > 0 ? clock.nowMs() + info.timeoutMs : undefined
    let first = true
    // Both only decide whether the cached value will do; a value fetched for this read always does.
    let revalidate = Boolean(info.mustRevalidate)
    let maxAgeMs = info.maxAgeMs
    for (;;) {
      if (this.stopped) throw new CacheStoppedError('agent cache is stopped')
      const e = this.entries.get(full)
      // The fetch this read waited for failed: say so (errors are newer than any value held).
      if (!first && e?.error !== undefined) {
        // stale-if-error: a simple type's old value beats an error while it is young enough.
        if (!t.refresh && e.valid && info.staleIfErrorMs !== undefined && clock.nowMs() - e.fetchedAtMs <= info.staleIfErrorMs) {
          e.lastGetMs = clock.nowMs()
          return {value: e.value as T, meta: {hit: true, ageMs: this.age(e, t), index: e.index}}
        }
        throw e.error
      }
      if (e && this.usable(e, t, info.minIndex, maxAgeMs, revalidate)) {
        e.lastGetMs = clock.nowMs()
        return {value: e.value as T, meta: {hit: first, ageMs: this.age(e, t), index: e.index}}
      }
      const done = this.fetch(full, t, req, true)
      first = false
      revalidate = false
      maxAgeMs = undefined
      const outcome = await this.race(done, deadline, signal)
      if (outcome === 'aborted') throw new Error('request aborted')
      if (outcome === 'timeout') {
        const cur = this.entries.get(full)
        // No value yet at all: keep waiting for the first one rather than answer nothing.
        if (cur?.valid) {
          cur.lastGetMs = clock.nowMs()
          return {value: cur.value as T, meta: {hit: false, ageMs: 0, index: cur.index}}
        }
        await this.race(done, undefined, signal)
      }
    }
  }

  private usable(e: Entry, t: CacheTypeOptions, minIndex: number, maxAgeMs: number | undefined, revalidate: boolean): boolean {
    if (!e.valid) return false
    if (t.supportsBlocking && minIndex > 0 && minIndex >= e.index) return false
    if (!t.refresh && maxAgeMs !== undefined && this.env.clock.nowMs() - e.fetchedAtMs > maxAgeMs) return false
    if (!t.refresh && revalidate) return false
    return true
  }

  private age(e: Entry, t: CacheTypeOptions): number {
    const now = this.env.clock.nowMs()
    if (t.refresh) return e.lostContactAtMs === undefined ? 0 : now - e.lostContactAtMs
    return now - e.fetchedAtMs
  }

  /** Resolves once `done` settles ('done'), the deadline passes, or the caller goes away. */
  private race(done: Promise<void>, deadline: number | undefined, signal?: AbortSignal): Promise<'done' | 'timeout' | 'aborted'> {
    if (signal?.aborted) return Promise.resolve('aborted')
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined
      const onAbort = () => finish('aborted')
      const finish = (v: 'done' | 'timeout' | 'aborted') => {
        timer?.cancel()
        signal?.removeEventListener('abort', onAbort)
        resolve(v)
      }
      if (deadline !== undefined) timer = this.env.timers.after(Math.max(0, deadline - this.env.clock.nowMs()), () => finish('timeout'))
      signal?.addEventListener('abort', onAbort, {once: true})
      void done.then(() => finish('done'))
    })
  }

  /** Starts (or joins) the one fetch of an entry; never rejects: the outcome lands in the entry. */
  private fetch(key: string, t: CacheType<unknown, unknown>, req: unknown, allowNew: boolean): Promise<void> {
    let e = this.entries.get(key)
    if (!e) {
      if (!allowNew || this.stopped) return Promise.resolve()
      e = {valid: false, index: 0, fetchedAtMs: 0, refreshPending: false, lastGetMs: this.env.clock.nowMs(), attempt: 0}
      this.entries.set(key, e)
      this.scheduleExpiry(key, e, t.lastGetTtlMs ?? DEFAULT_LAST_GET_TTL_MS)
    }
    if (e.fetching) return e.fetching
    const entry = e
    entry.fetching = this.runFetch(entry, t, req).then(() => {
      entry.fetching = undefined
      if (t.refresh) this.scheduleRefresh(key, entry, t, req)
    })
    return entry.fetching
  }

  private async runFetch(e: Entry, t: CacheType<unknown, unknown>, req: unknown): Promise<void> {
    const timeoutMs = t.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
    // A refresh that has been blocking for a while is connected again: stop ageing the value.
    const connected = t.refresh && e.index > 0 && timeoutMs > CONNECTED_AFTER_MS
      ? this.env.timers.after(CONNECTED_AFTER_MS, () => { e.lostContactAtMs = undefined })
      : undefined
    try {
      const r = await t.fetch(req, {minIndex: t.supportsBlocking ? e.index : 0, timeoutMs, last: e.valid ? {value: e.value, index: e.index} : undefined, signal: this.stopping.signal})
      e.value = r.value
      // Index 0 would make the next refresh return at once; 1 is safe (Raft never writes user data there).
      e.index = Math.max(1, r.index)
      e.fetchedAtMs = this.env.clock.nowMs()
      e.valid = true
      e.error = undefined
      e.attempt = r.index > 0 ? 0 : e.attempt + 1
      if (t.refresh) e.lostContactAtMs = undefined
    } catch (err) {
      e.error = err
      e.attempt++
      if (t.refresh && e.lostContactAtMs === undefined) e.lostContactAtMs = this.env.clock.nowMs()
    } finally {
      connected?.cancel()
    }
  }

  /** The background loop: the next blocking fetch, after a backoff once fetches keep failing. */
  private scheduleRefresh(key: string, e: Entry, t: CacheType<unknown, unknown>, req: unknown): void {
    if (this.stopped || e.refreshPending || this.entries.get(key) !== e) return
    e.refreshPending = true
    const go = () => {
      e.refreshPending = false
      e.refreshTimer = undefined
      if (this.stopped || this.entries.get(key) !== e) return
      void this.fetch(key, t, req, false)
    }
    const wait = backoffMs(e.attempt, (n) => this.env.random.int(n))
    if (wait > 0) {
      this.log.debug('cache refresh failing; backing off', {key, attempt: e.attempt, waitMs: wait, error: String((e.error as Error)?.message ?? e.error)})
      e.refreshTimer = this.env.timers.after(wait, go)
    } else {
      // Not synchronously: a fetch that fails at once must not recurse without yielding.
      this.env.timers.defer(go)
    }
  }

  private scheduleExpiry(key: string, e: Entry, ttlMs: number): void {
    const check = () => {
      if (this.entries.get(key) !== e) return
      const idle = this.env.clock.nowMs() - e.lastGetMs
      if (idle >= ttlMs) {
        this.entries.delete(key)
        this.log.debug('cache entry expired', {key})
        return
      }
      e.expiry = this.env.timers.after(ttlMs - idle, check)
    }
    e.expiry = this.env.timers.after(ttlMs, check)
  }
}

/** Consul's backOffWait: none for the first failures, then 2^n s up to a minute, plus up to as much again. */
export function backoffMs(failures: number, randInt: (n: number) => number): number {
  if (failures <= BACKOFF_MIN_FAILURES) return 0
  const shift = failures - BACKOFF_MIN_FAILURES
  const wait = shift < 31 ? Math.min(2 ** shift * 1000, BACKOFF_MAX_MS) : BACKOFF_MAX_MS
  return wait + randInt(wait)
}
