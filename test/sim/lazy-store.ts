import type {ConfState, Entry, HardState, Snapshot} from '../../src/agent/raft/core/types.js'
import {MemoryRaftStore, type MemoryRaftDisk} from '../../src/store/raft/memory-store.js'
import type {PersistBatch, RaftStore} from '../../src/store/raft/types.js'
import type {Env, Random} from '../../src/agent/env/types.js'

/** A simulated disk's fsync: completes on the node's virtual timers after a delay in [0, maxMs). */
export function diskSync(r: Random, env: Env, maxMs: number): (fn: () => void) => void {
  return (fn) => void env.timers.after(r.float() * maxMs, fn)
}

/**
 * The SQLite store's durability model on a memory store: a batch marked `sync: false`
 * that carries no entries and no snapshot (it only moves the commit index) is committed
 * without an fsync, so a power loss right after it loses it; the next synced write
 * flushes it along (a WAL is sequential). crash() here is that power loss. Raft claims
 * to survive it (the commit index is re-learned from the leader), so the simulator may
 * inject it.
 *
 * `trustSyncFlag` drops the "no entries, no snapshot" guard and believes the flag
 * alone, as PersistBatch's doc suggests a store may. RaftNode marks a batch that
 * installs a snapshot `sync: false` when nothing else in its Ready must sync, so with
 * this on, a crash can lose an installed (and acknowledged) snapshot; see the report
 * in docs/simulation.md.
 */
export class LazySyncStore implements RaftStore {
  readonly inner: MemoryRaftStore
  readonly persistDeferred?: (batch: PersistBatch, done: (err?: Error) => void) => void

  constructor(disk: MemoryRaftDisk, private readonly trustSyncFlag = false, syncLater?: (fn: () => void) => void) {
    this.inner = new MemoryRaftStore({disk, autoSync: false, syncLater})
    // A deferred sync makes everything written before it durable, lazy batches included.
    if (syncLater) this.persistDeferred = (batch, done) => this.inner.persistDeferred!(batch, done)
  }

  crash(): void {
    this.inner.crash()
  }

  persist(batch: PersistBatch): void {
    this.inner.persist(batch)
    const relaxed = batch.sync === false && (this.trustSyncFlag || (!batch.snapshot && batch.entries.length === 0))
    if (!relaxed) this.inner.sync()
  }

  saveSnapshot(snap: Snapshot): void {
    this.inner.saveSnapshot(snap)
    this.inner.sync()
  }

  compact(index: number): void {
    this.inner.compact(index)
    this.inner.sync()
  }

  initialState(): {hardState: HardState; confState: ConfState} {
    return this.inner.initialState()
  }
  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    return this.inner.entries(lo, hi, maxBytes)
  }
  term(index: number): number {
    return this.inner.term(index)
  }
  firstIndex(): number {
    return this.inner.firstIndex()
  }
  lastIndex(): number {
    return this.inner.lastIndex()
  }
  snapshot(): Snapshot {
    return this.inner.snapshot()
  }
  latestSnapshot(): Snapshot | undefined {
    return this.inner.latestSnapshot()
  }
  close(): void {
    this.inner.close()
  }
}
