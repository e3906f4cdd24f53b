/**
 * The FSM's error type. Thrown only for conditions that must stop the server
 * rather than let replicas diverge: an unknown message type without the
 * ignore flag, an undecodable entry, an index going backwards, a bad snapshot,
 * or a bug inside a handler. User errors are results, never FsmErrors.
 */
export type FsmErrorCode = 'unknown-type' | 'decode' | 'order' | 'apply' | 'restore'

export class FsmError extends Error {
  override readonly name = 'FsmError'
  constructor(
    readonly code: FsmErrorCode,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}
