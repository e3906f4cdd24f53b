/**
 * The one error type of the local agent: a refused registration or update, with the
 * HTTP status Consul answers (400 bad input, 404 unknown service or check).
 */
export class LocalError extends Error {
  override readonly name = 'LocalError'
  constructor(
    readonly status: 400 | 404 | 500,
    message: string,
  ) {
    super(message)
  }
}
