/**
 * The one error type of the API layer. `status` is the HTTP status code, or 0 when
 * the request never got an answer (connection refused, DNS failure, reset). `hint`
 * is a short suggestion for the user; the CLI prints it on its own line.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

export const AGENT_HINT = 'Is the agent running? Check -http-addr / CONSUL_HTTP_ADDR'
