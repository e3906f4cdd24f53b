import type {ConfState, Entry, HardState, Snapshot} from '../../agent/raft/core/types.js'
import {RaftStoreError} from './errors.js'
import {MemLog} from './mem-log.js'
import {emptySnapshot, planPersist, type PersistPlan} from './plan.js'
import type {PersistBatch, RaftStore} from './types.js'

/** What survives a crash: only synced state lives here. Keep one per simulated node across restarts. */
export class MemoryRaftDisk {
  /** @internal the synced state */
  readonly log = new MemLog()
}

type Op =
  | {kind: 'persist'; plan: PersistPlan}
  | {kind: 'snapshot'; snap: Snapshot}
  | {kind: 'compact'; index: number}

export interface MemoryRaftStoreOptions {
  /** The durable side; a fresh empty disk when omitted. Pass the same disk to "reopen". */
  disk?: MemoryRaftDisk
  /**
   * true (default): every mutating call is durable on return, like the SQLite store.
   * false: changes stay in the working view until sync(); crash() loses them. Only for
   * simulating a disk that lies about fsync; Raft itself assumes autoSync.
   */
  autoSync?: boolean
  /**
   * Offers persistDeferred(): `later(fn)` runs fn when the simulated disk has synced (the
   * simulator schedules it on the node's virtual timers after a drawn delay). Without it
   * the store has no persistDeferred, and the driver persists synchronously.
   */
  syncLater?: (fn: () => void) => void
}

/**
 * In-memory RaftStore for tests and the simulator, with an explicit durability
 * boundary: `sync()` makes pending changes durable on the disk object, `crash()`
 * drops everything not synced (the store then reads the disk's state, as a
 * restarted process would). Same contracts as RaftStore otherwise.
 */
export class MemoryRaftStore implements RaftStore {
  readonly disk: MemoryRaftDisk
  private readonly autoSync: boolean
  private view: MemLog
  private pending: Op[] = []
  private closed = false
  /** Bumped by crash(): a deferred sync scheduled before it must not sync the new incarnation's writes. */
  private generation = 0
  readonly persistDeferred?: (batch: PersistBatch, done: (err?: Error) => void) => void

  constructor(opts: MemoryRaftStoreOptions = {}) {
    this.disk = opts.disk ?? new MemoryRaftDisk()
    this.autoSync = opts.autoSync ?? true
    this.view = this.disk.log.clone()
    const later = opts.syncLater
    if (later) {
      this.persistDeferred = (batch, done) => {
        this.open()
        const op: Op = {kind: 'persist', plan: planPersist(batch, this.view)}
        applyOp(this.view, op)
        this.pending.push(op)
        const gen = this.generation
        // A crash or close first: the write is lost with the process, and nobody waits for done.
        later(() => {
          if (this.closed || gen !== this.generation) return
          this.sync()
          done()
        })
      }
    }
  }

  /** Makes every change so far durable. */
  sync(): void {
    this.open()
    for (const op of this.pending) applyOp(this.disk.log, op)
    this.pending = []
  }

  /** Drops every unsynced change; the store stays usable and reads what the disk holds. */
  crash(): void {
    this.generation++
    this.pending = []
    this.view = this.disk.log.clone()
    this.closed = false
  }

  /** Number of changes not yet synced. */
  unsynced(): number {
    return this.pending.length
  }

  initialState(): {hardState: HardState; confState: ConfState} {
    this.open()
    const conf = this.view.latestSnapshot()?.meta.conf ?? {voters: [], learners: []}
    return {hardState: this.view.hardState, confState: conf}
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    this.open()
    return this.view.slice(lo, hi, maxBytes)
  }

  term(index: number): number {
    this.open()
    return this.view.term(index)
  }

  firstIndex(): number {
    this.open()
    return this.view.compactIndex + 1
  }

  lastIndex(): number {
    this.open()
    return this.view.lastIndex
  }

  snapshot(): Snapshot {
    this.open()
    return this.view.latestSnapshot() ?? emptySnapshot()
  }

  latestSnapshot(): Snapshot | undefined {
    this.open()
    return this.view.latestSnapshot()
  }

  persist(batch: PersistBatch): void {
    this.open()
    this.write({kind: 'persist', plan: planPersist(batch, this.view)})
  }

  saveSnapshot(snap: Snapshot): void {
    this.open()
    this.view.checkSaveSnapshot(snap)
    this.write({kind: 'snapshot', snap})
  }

  compact(index: number): void {
    this.open()
    if (this.view.checkCompact(index)) this.write({kind: 'compact', index})
  }

  /** Unsynced changes are lost (as with crash()). Reopen with `new MemoryRaftStore({disk})`. */
  close(): void {
    this.closed = true
    this.pending = []
  }

  private write(op: Op): void {
    applyOp(this.view, op)
    if (!this.autoSync) {
      this.pending.push(op)
      return
    }
    // A synced write makes every earlier (deferred) one durable too, as on a sequential log.
    if (this.pending.length > 0) this.sync()
    applyOp(this.disk.log, op)
  }

  private open(): void {
    if (this.closed) throw new RaftStoreError('closed', 'store is closed')
  }
}

function applyOp(log: MemLog, op: Op): void {
  if (op.kind === 'persist') log.apply(op.plan)
  else if (op.kind === 'snapshot') log.pushSnapshot(op.snap)
  else log.compact(op.index)
}
