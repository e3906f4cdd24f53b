export type CoordinateErrorCode = 'dimensionality' | 'invalid' | 'rtt-range'

/**
 * The coordinate core's one error type: an observation or coordinate the model
 * refuses. The client's state is untouched when it is thrown, so a caller (the
 * gossip prober) may log it and carry on.
 */
export class CoordinateError extends Error {
  constructor(
    readonly code: CoordinateErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'CoordinateError'
  }
}
