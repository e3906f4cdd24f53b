import type {Entry, HardState, Snapshot, Storage} from '../../agent/raft/core/types.js'

/**
 * Durable Raft storage as the driver (RaftNode) uses it.
 *
 * Note on layering: the record types and the read-only `Storage` interface come from
 * the pure Raft core's shared types file (plain data, no I/O), so the core can read
 * this store directly. Nothing else from the agent is imported here.
 *
 * Log shape: the store holds entries (compactIndex, lastIndex] plus the term of
 * compactIndex (the compaction point), so `firstIndex() = compactIndex + 1` and
 * `term(firstIndex() - 1)` is always answerable. The compaction point is at or
 * before the latest snapshot's index (entries after a snapshot may be kept as
 * trailing logs for slow followers).
 *
 * Reads (`Storage`): `term(i)` and `entries()` throw the core's
 * `RaftStorageError('compacted')` below firstIndex()-1 (entries: below firstIndex())
 * and `RaftStorageError('unavailable')` past lastIndex(). Every other failure is a
 * `RaftStoreError`.
 *
 * Ownership: entries, snapshots and hard states passed in become the store's; the
 * caller must not mutate them afterwards. Returned arrays are fresh, but the
 * Entry/Snapshot objects and their bytes are shared: treat them as read-only.
 *
 * Calls are synchronous and not reentrant; a store is used by one driver at a time.
 */
export interface RaftStore extends Storage {
  /**
   * Writes one Ready's worth of state as ONE durable transaction, in this order:
   * 1. `snapshot` (if any) is installed: it becomes the latest snapshot and the whole
   *    log is replaced by it (compaction point = snapshot index/term);
   * 2. `entries` are appended; any existing suffix from entries[0].index is dropped first.
   *    Entries at or before the compaction point are ignored (already compacted).
   * 3. `hardState` (if any) replaces the stored one.
   * When it returns, everything is durable (fsynced, or synced per the memory store's
   * policy). When it throws (RaftStoreError), nothing changed, on disk or in caches,
   * except when only the final fsync failed: then the batch is written but not known durable.
   * Throws 'invalid' when the batch would leave a gap, overwrite a committed entry,
   * make terms decrease, or set commit past the last index.
   */
  persist(batch: PersistBatch): void

  /**
   * Optional: persist() without waiting for the disk. The batch is written (reads see it
   * at once, and it survives a process crash) before this returns, but it is made durable
   * later: `done` is called once, on a later turn, when everything written so far is
   * durable, or with the error that prevented it. A crash before `done` may lose the
   * batch. Throws like persist() (nothing changed) when the batch cannot be written.
   * A store that cannot do better than persist() does not offer this.
   */
  persistDeferred?(batch: PersistBatch, done: (err?: Error) => void): void

  /**
   * Records a snapshot taken from the local FSM (meta.index ≤ lastIndex(), newer than
   * the latest snapshot). Does not touch the log; call compact() afterwards.
   * Durable on return. Older snapshots beyond the retention count are dropped.
   */
  saveSnapshot(snap: Snapshot): void

  /**
   * Drops entries ≤ index, keeping term(index) answerable as the new compaction point.
   * index must be within [firstIndex()-1, lastIndex()] and ≤ the latest snapshot's
   * index (entries are only dropped once a snapshot covers them). A no-op when
   * index ≤ firstIndex()-1. Durable on return.
   */
  compact(index: number): void

  /** The newest snapshot, or undefined when none was ever saved or installed. */
  latestSnapshot(): Snapshot | undefined

  /** Releases the store; later calls throw RaftStoreError('closed'). Idempotent. */
  close(): void
}

/** One Ready's durable part (see RaftStore.persist). */
export interface PersistBatch {
  /**
   * false: the batch only moves the commit index (etcd's MustSync is false), so it need
   * not be fsynced: a lost commit index is re-learned from the leader. The SQLite store
   * then commits without an fsync (still safe against a process crash). Default true.
   */
  sync?: boolean
  hardState?: HardState
  /** Contiguous, ascending indexes; may be empty. */
  entries: Entry[]
  snapshot?: Snapshot
}
