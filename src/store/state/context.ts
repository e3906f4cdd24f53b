import {WatchHub} from './watch.js'

/**
 * What every table module shares: the undo log of the write in progress, the
 * watch keys it touched, and the index table (per-table max Raft index).
 * A write runs inside `write(fn)`: nested writes join the outer one, so a txn
 * or an FSM command composes many operations atomically; when fn throws, every
 * change it made is undone in reverse order (a nested write acts as a
 * savepoint), and an outermost write that fails wakes no watcher.
 */
export class StoreContext {
  readonly hub: WatchHub
  readonly index: IndexTable
  private undo: (() => void)[] | null = null
  private readonly touched = new Set<string>()
  private readonly touchedKv = new Set<string>()

  constructor(hub = new WatchHub()) {
    this.hub = hub
    this.index = new IndexTable(this)
  }

  get inWrite(): boolean {
    return this.undo !== null
  }

  write<T>(fn: () => T): T {
    if (this.undo) return this.savepoint(fn)
    this.undo = []
    let result: T
    try {
      result = fn()
    } catch (err) {
      const log = this.undo
      this.undo = null
      for (let i = log.length - 1; i >= 0; i--) log[i]!()
      this.touched.clear()
      this.touchedKv.clear()
      throw err
    }
    this.undo = null
    if (this.touched.size || this.touchedKv.size) {
      const keys = [...this.touched]
      const kvKeys = [...this.touchedKv]
      this.touched.clear()
      this.touchedKv.clear()
      this.hub.notify(keys, kvKeys)
    }
    return result
  }

  /** A nested write: on failure undo back to where it started, then rethrow to the outer write. */
  private savepoint<T>(fn: () => T): T {
    const log = this.undo!
    const mark = log.length
    try {
      return fn()
    } catch (err) {
      const tail = log.splice(mark)
      for (let i = tail.length - 1; i >= 0; i--) tail[i]!()
      throw err
    }
  }

  /** Register the inverse of a change just made (no-op outside a write, e.g. undo itself). */
  record(inverse: () => void): void {
    this.undo?.push(inverse)
  }

  touch(key: string): void {
    if (this.undo) this.touched.add(key)
  }

  touchKv(key: string): void {
    if (this.undo) this.touchedKv.add(key)
  }

  /** Throws unless inside a write: every mutation must be undoable. */
  assertWrite(): void {
    if (!this.undo) throw new Error('state store mutation outside a write')
  }
}

/** Index table entry name → watch key woken when it moves. */
export function watchKeyForIndex(name: string): string {
  if (name.startsWith('service.')) return 'svc:' + name.slice('service.'.length)
  if (name.startsWith('node.')) return 'node:' + name.slice('node.'.length)
  return 'table:' + name
}

/**
 * Consul's `index` table: table name (or `service.<name>`, `node.<name>`,
 * `service_last_extinction`, ...) → highest Raft index that changed it.
 */
export class IndexTable {
  private readonly rows = new Map<string, number>()

  constructor(private readonly ctx: StoreContext) {}

  get(name: string): number | undefined {
    return this.rows.get(name)
  }

  max(...names: string[]): number {
    let m = 0
    for (const n of names) {
      const v = this.rows.get(n)
      if (v !== undefined && v > m) m = v
    }
    return m
  }

  /** Raise an entry to idx (never lowers it) and wake its watchers. */
  bump(name: string, idx: number): void {
    const old = this.rows.get(name)
    this.ctx.touch(watchKeyForIndex(name))
    if (old !== undefined && old >= idx) return
    this.put(name, idx)
  }

  delete(name: string): void {
    if (!this.rows.has(name)) return
    this.ctx.touch(watchKeyForIndex(name))
    this.put(name, undefined)
  }

  entries(): [string, number][] {
    return [...this.rows.entries()]
  }

  /** Snapshot restore: set verbatim. */
  restore(name: string, value: number): void {
    this.put(name, value)
  }

  private put(name: string, v: number | undefined): void {
    this.ctx.assertWrite()
    const old = this.rows.get(name)
    this.set(name, v)
    this.ctx.record(() => this.set(name, old))
  }

  private set(name: string, v: number | undefined): void {
    if (v === undefined) this.rows.delete(name)
    else this.rows.set(name, v)
  }
}

/**
 * A primary-key table whose every change is undoable. Subclasses keep their
 * secondary indexes in `reindex(key, old, next)`, which also runs on undo, so
 * the indexes can never drift from the rows. Stored records are frozen: readers
 * get them by reference and must not mutate them.
 */
export class Table<V extends object> {
  protected readonly rows = new Map<string, V>()

  constructor(protected readonly ctx: StoreContext) {}

  get size(): number {
    return this.rows.size
  }

  get(key: string): V | undefined {
    return this.rows.get(key)
  }

  has(key: string): boolean {
    return this.rows.has(key)
  }

  values(): IterableIterator<V> {
    return this.rows.values()
  }

  set(key: string, value: V): void {
    this.ctx.assertWrite()
    Object.freeze(value)
    const old = this.rows.get(key)
    this.apply(key, old, value)
    this.ctx.record(() => this.apply(key, value, old))
  }

  delete(key: string): void {
    this.ctx.assertWrite()
    const old = this.rows.get(key)
    if (old === undefined) return
    this.apply(key, old, undefined)
    this.ctx.record(() => this.apply(key, undefined, old))
  }

  private apply(key: string, old: V | undefined, next: V | undefined): void {
    if (next === undefined) this.rows.delete(key)
    else this.rows.set(key, next)
    this.reindex(key, old, next)
  }

  protected reindex(_key: string, _old: V | undefined, _next: V | undefined): void {}
}
