import {chmodSync, closeSync, mkdirSync, openSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import type {ConfState, Entry, HardState, Snapshot} from '../../agent/raft/core/types.js'
import {RaftStorageError} from '../../agent/raft/core/types.js'
import {RaftStoreError} from './errors.js'
import {checkCompact, checkRange, SNAPSHOTS_RETAINED} from './mem-log.js'
import {emptySnapshot, entryBytes, limitSize, planPersist, ZERO_HARD_STATE, type LogView, type PersistPlan} from './plan.js'
import {SCHEMA, SCHEMA_VERSION} from './sqlite-schema.js'
import type {PersistBatch, RaftStore} from './types.js'
import {WalSync} from './wal-sync.js'

export interface SqliteRaftStoreOptions {
  /** Wall clock for the snapshots.created column (display only); 0 when omitted. */
  wallMs?: () => number
  /** Recent entries kept in memory for entries() (default 4096 entries / 16 MiB). */
  cacheEntries?: number
  cacheBytes?: number
}

interface LogRow {idx: number; term: number; type: number; data: Uint8Array}
interface SnapRow {idx: number; term: number; conf: string; data: Uint8Array}

/**
 * RaftStore on better-sqlite3: `<dataDir>/raft/raft.db` (WAL, files 0600). Each mutating
 * call is one transaction, so a Ready costs one fsync. The connection runs with
 * synchronous=NORMAL and WalSync fdatasyncs the WAL after each commit that must be
 * durable (what synchronous=FULL does), on the calling thread for persist() and on the
 * thread pool for persistDeferred(). Terms of
 * every entry in the log and a bounded tail of recent entries are cached in memory;
 * caches change only after a transaction committed, so a failed call leaves both the
 * database and the caches as they were.
 */
export class SqliteRaftStore implements RaftStore {
  /** Opens (creating if needed) the store under dataDir, or an in-memory database for ':memory:'. */
  static open(dataDir: string, opts: SqliteRaftStoreOptions = {}): SqliteRaftStore {
    let file = ':memory:'
    if (dataDir !== ':memory:') {
      const dir = join(dataDir, 'raft')
      file = join(dir, 'raft.db')
      try {
        mkdirSync(dir, {recursive: true, mode: 0o700})
        closeSync(openSync(file, 'a', 0o600))
        chmodSync(file, 0o600)
      } catch (err) {
        throw new RaftStoreError('io', `cannot create ${file}: ${(err as Error).message}`, {cause: err})
      }
    }
    return new SqliteRaftStore(file, opts)
  }

  readonly path: string
  private readonly db: Database.Database
  private readonly wallMs: () => number
  private readonly cacheEntries: number
  private readonly cacheBytes: number
  private readonly stmt: ReturnType<typeof prepare>
  private readonly txPersist: (plan: PersistPlan) => void
  /** Undefined for ':memory:' (nothing to sync). */
  private readonly walSync: WalSync | undefined
  private closed = false

  // Caches, changed only after a successful commit.
  private compactIndex = 0
  private compactTerm = 0
  /** terms[k] = term of entry compactIndex + 1 + k */
  private terms: number[] = []
  private hardState: HardState = ZERO_HARD_STATE
  private latest: Snapshot | undefined
  /** The newest entries: tail[k].index === lastIndex - tail.length + 1 + k */
  private tail: Entry[] = []
  private tailBytes = 0

  private constructor(file: string, opts: SqliteRaftStoreOptions) {
    this.path = file
    this.wallMs = opts.wallMs ?? (() => 0)
    this.cacheEntries = opts.cacheEntries ?? 4096
    this.cacheBytes = opts.cacheBytes ?? 16 << 20
    try {
      this.db = new Database(file)
    } catch (err) {
      throw new RaftStoreError('io', `cannot open ${file}: ${(err as Error).message}`, {cause: err})
    }
    try {
      this.db.pragma('journal_mode = WAL')
      // Commits only write the WAL; syncs are ours (see the class comment). Checkpoints
      // still sync the WAL before and the database after copying, in SQLite's order.
      this.db.pragma('synchronous = NORMAL')
      this.db.exec(SCHEMA)
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
      this.stmt = prepare(this.db)
      this.txPersist = this.db.transaction((plan: PersistPlan) => this.writePlan(plan))
      this.load()
      this.walSync = file === ':memory:' ? undefined : new WalSync(file)
      // A previous process may have died with written but unsynced entries: make them durable
      // before this one answers anyone as if they were.
      this.walSync?.now()
    } catch (err) {
      this.db.close()
      throw wrap(err, 'open')
    }
    if (this.walSync) this.persistDeferred = (batch, done) => this.persistLater(batch, done)
  }

  // ---- Storage (reads) ----

  initialState(): {hardState: HardState; confState: ConfState} {
    this.open()
    return {hardState: this.hardState, confState: this.latest?.meta.conf ?? {voters: [], learners: []}}
  }

  firstIndex(): number {
    this.open()
    return this.compactIndex + 1
  }

  lastIndex(): number {
    this.open()
    return this.compactIndex + this.terms.length
  }

  term(i: number): number {
    this.open()
    const last = this.compactIndex + this.terms.length
    if (i < this.compactIndex) throw new RaftStorageError('compacted', `term(${i}): compacted up to ${this.compactIndex}`)
    if (i > last) throw new RaftStorageError('unavailable', `term(${i}): last index is ${last}`)
    return i === this.compactIndex ? this.compactTerm : this.terms[i - this.compactIndex - 1]!
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    this.open()
    const last = this.compactIndex + this.terms.length
    checkRange(lo, hi, this.compactIndex + 1, last)
    if (lo === hi) return []
    const tailStart = last - this.tail.length + 1
    if (lo >= tailStart) return limitSize(this.tail.slice(lo - tailStart, hi - tailStart), maxBytes)
    const out: Entry[] = []
    let size = 0
    try {
      for (const row of this.stmt.range.iterate(lo, hi) as IterableIterator<LogRow>) {
        const e = rowToEntry(row)
        size += entryBytes(e)
        if (maxBytes !== undefined && out.length > 0 && size > maxBytes) break
        out.push(e)
      }
    } catch (err) {
      throw wrap(err, 'read entries')
    }
    // The terms cache says every index in range exists; a hole means the file changed under us.
    const complete = maxBytes === undefined ? out.length === hi - lo : out.length > 0
    if (!complete || out[0]!.index !== lo || out[out.length - 1]!.index !== lo + out.length - 1) {
      throw new RaftStoreError('io', `entries(${lo}, ${hi}): log rows missing`)
    }
    return out
  }

  snapshot(): Snapshot {
    this.open()
    return this.latest ?? emptySnapshot()
  }

  latestSnapshot(): Snapshot | undefined {
    this.open()
    return this.latest
  }

  // ---- writes ----

  persist(batch: PersistBatch): void {
    this.open()
    const plan = planPersist(batch, this.view())
    const relaxed = batch.sync === false && !batch.snapshot && batch.entries.length === 0
    try {
      this.txPersist(plan)
    } catch (err) {
      throw wrap(err, 'persist')
    }
    this.cachePlan(plan)
    if (!relaxed) this.syncNow('persist')
  }

  /** Only a file-backed store offers it (':memory:' has no disk to wait for). */
  readonly persistDeferred?: (batch: PersistBatch, done: (err?: Error) => void) => void

  private persistLater(batch: PersistBatch, done: (err?: Error) => void): void {
    this.open()
    const plan = planPersist(batch, this.view())
    try {
      this.txPersist(plan)
    } catch (err) {
      throw wrap(err, 'persist')
    }
    this.cachePlan(plan)
    this.walSync!.later(done)
  }

  saveSnapshot(snap: Snapshot): void {
    this.open()
    const view = this.view()
    if (snap?.meta && snap.meta.index > view.lastIndex) throw new RaftStoreError('invalid', `snapshot ${snap.meta.index} is past the last index ${view.lastIndex}`)
    // planPersist's snapshot checks (shape, newer than latest, not before compaction) apply as is.
    planPersist({entries: [], snapshot: snap}, view)
    try {
      this.db.transaction(() => this.insertSnapshot(snap))()
    } catch (err) {
      throw wrap(err, 'save snapshot')
    }
    this.latest = snap
    this.syncNow('save snapshot')
  }

  compact(index: number): void {
    this.open()
    if (!checkCompact(index, this.view())) return
    const term = this.term(index)
    try {
      this.db.transaction(() => {
        this.stmt.deleteUpTo.run(index)
        this.setStable('compact_index', index)
        this.setStable('compact_term', term)
      })()
    } catch (err) {
      throw wrap(err, 'compact')
    }
    this.terms.splice(0, index - this.compactIndex)
    this.compactIndex = index
    this.compactTerm = term
    const last = this.compactIndex + this.terms.length
    const drop = this.tail.length - (last - index)
    if (drop > 0) this.dropTailFront(drop)
    this.syncNow('compact')
  }

  /**
   * fdatasync of the WAL on this thread. A failure throws after the write is committed and
   * cached: the data is there, only its durability is unknown (the caller must not ack it).
   */
  private syncNow(op: string): void {
    try {
      this.walSync?.now()
    } catch (err) {
      throw wrap(err, op)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.walSync?.close()
    this.db.close()
  }

  // ---- internals ----

  private view(): LogView {
    return {
      compactIndex: this.compactIndex,
      compactTerm: this.compactTerm,
      lastIndex: this.compactIndex + this.terms.length,
      commit: this.hardState.commit,
      snapshotIndex: this.latest?.meta.index ?? -1,
      term: (i) => this.term(i),
    }
  }

  /** Runs inside the persist transaction: SQL only, no cache changes. */
  private writePlan(plan: PersistPlan): void {
    const snap = plan.snapshot
    if (snap) {
      this.insertSnapshot(snap)
      this.stmt.deleteAll.run()
      this.setStable('compact_index', snap.meta.index)
      this.setStable('compact_term', snap.meta.term)
    }
    if (plan.entries.length > 0) {
      this.stmt.deleteFrom.run(plan.entries[0]!.index)
      for (const e of plan.entries) this.stmt.insert.run(e.index, e.term, e.type, e.data)
    }
    const hs = plan.hardState
    if (hs) {
      // Most Readies move only the commit index: skip the rows that did not change.
      const prev = this.hardState
      if (hs.term !== prev.term) this.setStable('term', hs.term)
      if (hs.vote !== prev.vote) this.setStable('vote', hs.vote)
      if (hs.commit !== prev.commit) this.setStable('commit', hs.commit)
    }
  }

  private insertSnapshot(snap: Snapshot): void {
    const {index, term, conf} = snap.meta
    this.stmt.insertSnap.run(index, term, JSON.stringify({voters: conf.voters, learners: conf.learners}), snap.data, Math.floor(this.wallMs()))
    this.stmt.pruneSnaps.run(SNAPSHOTS_RETAINED)
  }

  private setStable(key: string, value: number | string): void {
    this.stmt.setStable.run(key, value)
  }

  private cachePlan(plan: PersistPlan): void {
    const snap = plan.snapshot
    if (snap) {
      this.latest = snap
      this.compactIndex = snap.meta.index
      this.compactTerm = snap.meta.term
      this.terms = []
      this.tail = []
      this.tailBytes = 0
    }
    if (plan.entries.length > 0) {
      const first = plan.entries[0]!.index
      const last = this.compactIndex + this.terms.length
      this.terms.length = first - this.compactIndex - 1
      for (const e of plan.entries) this.terms.push(e.term)
      // Drop the overwritten part of the tail, then append.
      const tailStart = last - this.tail.length + 1
      if (first < tailStart) {
        this.tail = []
        this.tailBytes = 0
      } else {
        for (const e of this.tail.splice(first - tailStart)) this.tailBytes -= entryBytes(e)
      }
      for (const e of plan.entries) {
        this.tail.push(e)
        this.tailBytes += entryBytes(e)
      }
      this.trimTail()
    }
    if (plan.hardState) this.hardState = plan.hardState
  }

  /** Trims the tail cache in batches (amortised O(1) per entry). */
  private trimTail(): void {
    const overCount = this.tail.length - this.cacheEntries
    if (overCount > this.cacheEntries / 4 || (overCount > 0 && this.tailBytes > this.cacheBytes)) {
      this.dropTailFront(overCount)
    }
    let n = 0
    let bytes = this.tailBytes
    while (bytes > this.cacheBytes && n < this.tail.length - 1) bytes -= entryBytes(this.tail[n++]!)
    if (n > 0) this.dropTailFront(n)
  }

  private dropTailFront(n: number): void {
    for (const e of this.tail.splice(0, n)) this.tailBytes -= entryBytes(e)
  }

  private load(): void {
    const stable = new Map<string, unknown>()
    for (const r of this.stmt.getStable.all() as {key: string; value: unknown}[]) stable.set(r.key, r.value)
    const num = (k: string) => (typeof stable.get(k) === 'number' ? (stable.get(k) as number) : 0)
    this.compactIndex = num('compact_index')
    this.compactTerm = num('compact_term')
    this.hardState = {term: num('term'), vote: typeof stable.get('vote') === 'string' ? (stable.get('vote') as string) : '', commit: num('commit')}
    const terms: number[] = []
    let expect = this.compactIndex + 1
    for (const r of this.stmt.terms.iterate() as IterableIterator<{idx: number; term: number}>) {
      if (r.idx !== expect) throw new RaftStoreError('io', `log is not contiguous: found ${r.idx}, expected ${expect}`)
      terms.push(r.term)
      expect++
    }
    this.terms = terms
    const snap = this.stmt.latestSnap.get() as SnapRow | undefined
    if (snap) {
      const conf = JSON.parse(snap.conf) as ConfState
      this.latest = {meta: {index: snap.idx, term: snap.term, conf: {voters: conf.voters, learners: conf.learners}}, data: toBytes(snap.data)}
    }
    const last = this.compactIndex + terms.length
    const from = Math.max(this.compactIndex + 1, last - Math.min(this.cacheEntries, 1024) + 1)
    if (from <= last) {
      this.tail = (this.stmt.range.all(from, last + 1) as LogRow[]).map(rowToEntry)
      this.tailBytes = this.tail.reduce((s, e) => s + entryBytes(e), 0)
      this.trimTail()
    }
  }

  private open(): void {
    if (this.closed) throw new RaftStoreError('closed', 'store is closed')
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO log (idx, term, type, data) VALUES (?, ?, ?, ?)'),
    deleteFrom: db.prepare('DELETE FROM log WHERE idx >= ?'),
    deleteUpTo: db.prepare('DELETE FROM log WHERE idx <= ?'),
    deleteAll: db.prepare('DELETE FROM log'),
    range: db.prepare('SELECT idx, term, type, data FROM log WHERE idx >= ? AND idx < ? ORDER BY idx'),
    terms: db.prepare('SELECT idx, term FROM log ORDER BY idx'),
    getStable: db.prepare('SELECT key, value FROM stable'),
    setStable: db.prepare('INSERT INTO stable (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    insertSnap: db.prepare('INSERT OR REPLACE INTO snapshots (idx, term, conf, data, created) VALUES (?, ?, ?, ?, ?)'),
    pruneSnaps: db.prepare('DELETE FROM snapshots WHERE idx NOT IN (SELECT idx FROM snapshots ORDER BY idx DESC LIMIT ?)'),
    latestSnap: db.prepare('SELECT idx, term, conf, data FROM snapshots ORDER BY idx DESC LIMIT 1'),
  }
}

/** A plain Uint8Array view of a Buffer returned by SQLite (no copy). */
function toBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function rowToEntry(r: LogRow): Entry {
  return {index: r.idx, term: r.term, type: r.type, data: toBytes(r.data)}
}

function wrap(err: unknown, what: string): Error {
  if (err instanceof RaftStoreError || err instanceof RaftStorageError) return err
  return new RaftStoreError('io', `${what}: ${(err as Error)?.message ?? String(err)}`, {cause: err})
}
