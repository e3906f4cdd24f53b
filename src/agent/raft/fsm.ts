/**
 * The replicated state machine a RaftNode drives (hashicorp/raft's FSM shape).
 *
 * All three calls are synchronous and run on the driver's turn; they must not call
 * back into the RaftNode. An exception from any of them is a bug in the FSM: the node
 * stops (it cannot skip an entry without diverging from its peers).
 */
export interface Fsm {
  /**
   * Applies the committed command at `index` (called once per index, in order, never
   * for the leader's empty no-op entries or membership entries). Must be deterministic:
   * every server applies the same log and must reach the same state. The return value
   * resolves the proposer's promise on the server that proposed it.
   */
  apply(index: number, term: number, data: Uint8Array): unknown

  /**
   * Serialises the whole state as of the last applied index. Called on the driver's
   * turn, so the state cannot move underneath it.
   */
  snapshot(): Uint8Array

  /**
   * Replaces the whole state with a snapshot taken at (index, term), discarding every
   * previous state. Empty data means the empty state (the bootstrap snapshot).
   */
  restore(data: Uint8Array, index: number, term: number): void
}
