import type {Message} from './types.js'

/**
 * The Raft core's one error family. Storage read failures stay RaftStorageError (types.ts);
 * everything the core itself refuses or detects is a RaftError with a kind.
 *
 * - 'proposal-dropped': a local request (propose, proposeConfChange, readIndex,
 *   transferLeadership) cannot be taken now (not leader, no known leader, transfer in
 *   progress, a conf change still pending). Retry later or elsewhere; nothing changed.
 * - 'invalid-config': RaftConfig or the storage's initial state is unusable.
 * - 'invalid-conf-change': a ConfChange that is malformed or would empty the voter set.
 * - 'ready-misuse': ready()/advance() called out of order.
 * - 'invariant': the log or a message broke a Raft invariant (e.g. commit past the last
 *   index, truncating a committed entry). The node must stop: its state is suspect.
 */
export type RaftErrorKind = 'proposal-dropped' | 'invalid-config' | 'invalid-conf-change' | 'ready-misuse' | 'invariant'

export class RaftError extends Error {
  constructor(readonly kind: RaftErrorKind, message: string) {
    super(message)
    this.name = 'RaftError'
  }
}

/** Thrown by propose/proposeConfChange/readIndex/transferLeadership when the request is not taken. */
export class ProposalDroppedError extends RaftError {
  constructor(message: string) {
    super('proposal-dropped', message)
    this.name = 'ProposalDroppedError'
  }
}

export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new RaftError('invariant', message)
}

/**
 * A request we cannot serve: a local call (term 0) learns why through ProposalDroppedError;
 * one relayed from another node is dropped silently (its sender times out).
 */
export function drop(m: Message, reason: string): void {
  if (m.term === 0) throw new ProposalDroppedError(reason)
}
