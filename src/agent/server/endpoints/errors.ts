/**
 * The one error type of the endpoint layer. Endpoints know nothing of HTTP: they say
 * what went wrong (`code`), and the HTTP layer picks the status; over RPC the code
 * travels with the message, so a client agent answers exactly as the server would.
 */
export type EndpointErrorCode =
  | 'bad-request'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'no-leader'
  | 'no-path'
  | 'no-servers'
  | 'unknown-method'
  /** A client agent over limits.rpc_rate (Consul: "RPC rate limit exceeded", 429 over HTTP). */
  | 'rate-limited'
  /** A registration that needs its node, which is gone (anti-entropy re-registers it). */
  | 'missing-node'
  | 'internal'

export class EndpointError extends Error {
  constructor(readonly code: EndpointErrorCode, message: string) {
    super(message)
  }
}

const BY_STATUS: Record<number, EndpointErrorCode> = {400: 'bad-request', 404: 'not-found', 409: 'conflict', 413: 'too-large'}

/** Lower layers (Raft's wrapper) still throw errors carrying an HTTP-like status; name them. */
export function asEndpointError(e: unknown): EndpointError {
  if (e instanceof EndpointError) return e
  const err = e as {status?: unknown; message?: unknown}
  const msg = typeof err?.message === 'string' ? err.message : String(e)
  if (typeof err?.status === 'number') {
    if (msg === 'No cluster leader') return new EndpointError('no-leader', msg)
    return new EndpointError(BY_STATUS[err.status] ?? 'internal', msg)
  }
  return new EndpointError('internal', msg)
}
