/**
 * The one error type of the HTTP layer. Handlers throw it; the app renders it as
 * Consul does: the status code and a plain-text body (never JSON).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export const badRequest = (msg: string) => new HttpError(400, msg)
export const notFound = (msg = '') => new HttpError(404, msg)
