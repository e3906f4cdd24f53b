/**
 * Watches that wake blocking queries. A read adds the keys it depends on to a
 * WatchSet; a write collects the keys it touched and notifies them once the
 * whole command (or txn) is applied. Keys in use:
 *   kv:key:<k>  kv:prefix:<p>  table:<t>  svc:<lowercased name>  node:<lowercased name>
 *   checks:node:<n>  checks:service:<name>  session:<id>  sessions:node:<n>
 * A write to KV key K wakes watchers of kv:key:K and of kv:prefix:P for every
 * watched P that is a prefix of K; only prefix lengths that have watchers are
 * looked up. Waiters parked on one key share one map entry.
 */
export class WatchSet {
  readonly keys = new Set<string>()

  add(key: string): void {
    this.keys.add(key)
  }

  get size(): number {
    return this.keys.size
  }
}

interface Waiter {
  cb: () => void
  keys: string[]
  done: boolean
}

const PREFIX = 'kv:prefix:'

export class WatchHub {
  private readonly byKey = new Map<string, Set<Waiter>>()
  /** Length of a watched KV prefix → how many distinct watched prefixes have it. */
  private readonly prefixLens = new Map<number, number>()
  private abandoned = false

  /**
   * @param onCallbackError receives an error thrown by a waiter's callback; by default
   *   the first such error is rethrown after every due callback has run.
   */
  constructor(private readonly onCallbackError?: (err: unknown) => void) {}

  get isAbandoned(): boolean {
    return this.abandoned
  }

  /** Number of parked waiters (for tests and metrics). */
  get waiterCount(): number {
    const seen = new Set<Waiter>()
    for (const s of this.byKey.values()) for (const w of s) seen.add(w)
    return seen.size
  }

  /** Number of distinct keys with parked waiters. */
  get keyCount(): number {
    return this.byKey.size
  }

  /**
   * Park cb until any key of ws is notified or the store is abandoned; cb fires at
   * most once. Returns a cancel function. If the store is already abandoned, cb
   * runs before wait returns. An empty set waits for abandonment only.
   */
  wait(ws: WatchSet, cb: () => void): () => void {
    const w: Waiter = {cb, keys: [...ws.keys], done: false}
    if (this.abandoned) {
      this.fire([w])
      return () => {}
    }
    for (const k of w.keys) this.attach(k, w)
    if (w.keys.length === 0) this.attach('', w)
    return () => this.detach(w)
  }

  /** Wake every waiter on the given keys; kvKeys are KV keys that changed (prefix expansion applies). */
  notify(keys: Iterable<string>, kvKeys: Iterable<string> = []): void {
    const due: Waiter[] = []
    const collect = (key: string): void => {
      const s = this.byKey.get(key)
      if (s) for (const w of s) due.push(w)
    }
    for (const k of keys) collect(k)
    for (const k of kvKeys) {
      collect('kv:key:' + k)
      for (const len of this.prefixLens.keys()) {
        if (len <= k.length) collect(PREFIX + k.slice(0, len))
      }
    }
    if (due.length) this.fire(due)
  }

  /** Wake every waiter; later waits fire at once. Used when a restore replaces the store. */
  abandon(): void {
    if (this.abandoned) return
    this.abandoned = true
    const all: Waiter[] = []
    for (const s of this.byKey.values()) for (const w of s) all.push(w)
    this.fire(all)
  }

  private fire(waiters: Waiter[]): void {
    let firstErr: unknown
    let failed = false
    for (const w of waiters) {
      if (w.done) continue
      this.detach(w)
      try {
        w.cb()
      } catch (err) {
        if (this.onCallbackError) this.onCallbackError(err)
        else if (!failed) {
          failed = true
          firstErr = err
        }
      }
    }
    if (failed) throw firstErr
  }

  private attach(key: string, w: Waiter): void {
    let s = this.byKey.get(key)
    if (!s) {
      this.byKey.set(key, (s = new Set()))
      if (key.startsWith(PREFIX)) {
        const len = key.length - PREFIX.length
        this.prefixLens.set(len, (this.prefixLens.get(len) ?? 0) + 1)
      }
    }
    s.add(w)
  }

  private detach(w: Waiter): void {
    if (w.done) return
    w.done = true
    const keys = w.keys.length ? w.keys : ['']
    for (const key of keys) {
      const s = this.byKey.get(key)
      if (!s) continue
      s.delete(w)
      if (s.size > 0) continue
      this.byKey.delete(key)
      if (key.startsWith(PREFIX)) {
        const len = key.length - PREFIX.length
        const n = (this.prefixLens.get(len) ?? 1) - 1
        if (n === 0) this.prefixLens.delete(len)
        else this.prefixLens.set(len, n)
      }
    }
  }
}
