/**
 * The one error type of the Raft storage layer for failures (I/O, closed store,
 * a batch that breaks the log's invariants). The expected read conditions of the
 * core's Storage contract (asking for a compacted or not-yet-written index) are
 * thrown as the core's RaftStorageError instead, because the core handles those.
 */
export type RaftStoreErrorKind =
  /** SQLite or file-system failure; the transaction was rolled back. */
  | 'io'
  /** The store was closed. */
  | 'closed'
  /** The caller broke the contract (gap in the log, overwrite of a committed entry, …); nothing was written. */
  | 'invalid'

export class RaftStoreError extends Error {
  override readonly name = 'RaftStoreError'

  constructor(readonly kind: RaftStoreErrorKind, message: string, options?: {cause?: unknown}) {
    super(`raft store: ${message}`, options)
  }
}
