/**
 * The one error type of the state store. Every user-caused failure of a write
 * (missing node, invalid session, name conflict, ...) is a StateError carrying
 * Consul's message; the write has been rolled back when it is thrown. Anything
 * else escaping the store is a bug.
 */
export type StateErrorCode =
  | 'missing-node'
  | 'missing-service'
  | 'missing-check'
  | 'check-critical'
  | 'missing-session-id'
  | 'invalid-session'
  | 'missing-session'
  | 'invalid-behavior'
  | 'node-conflict'
  | 'check-node-mismatch'
  | 'invalid'

export class StateError extends Error {
  override readonly name = 'StateError'
  constructor(readonly code: StateErrorCode, message: string) {
    super(message)
  }
}

export const errMissingNode = (): StateError => new StateError('missing-node', 'Missing node registration')
export const errMissingService = (): StateError => new StateError('missing-service', 'Missing service registration')

/** Go's %q for the strings we print: double-quoted with JSON-style escapes. */
export function quote(s: string): string {
  return JSON.stringify(s)
}
