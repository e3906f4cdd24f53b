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

  constructor(opts: MemoryRaftStoreOptions = {}) {
    this.disk = opts.disk ?? new MemoryRaftDisk()
    this.autoSync = opts.autoSync ?? true
    this.view = this.disk.log.clone()
  }

  /** Makes every change so far durable. */
  sync(): void {
    this.open()
    for (const op of this.pending) applyOp(this.disk.log, op)
    this.pending = []
  }

  /** Drops every unsynced change; the store stays usable and reads what the disk holds. */
  crash(): void {
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
    if (this.autoSync) applyOp(this.disk.log, op)
    else this.pending.push(op)
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
