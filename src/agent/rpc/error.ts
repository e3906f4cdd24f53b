/**
 * The one error type of the RPC layer. `kind` says what failed, so callers (the client
 * router, forwarding) can decide whether to retry elsewhere: a 'connect' failure never
 * reached a server and is always safe to retry; a 'timeout' or 'closed' after the request
 * was sent may have run on the server (maybeDelivered), so a write must not be retried
 * blindly; 'remote' is the handler's own error, with its code.
 */
export type RpcErrorKind = 'connect' | 'timeout' | 'closed' | 'remote' | 'protocol'

export class RpcError extends Error {
  readonly kind: RpcErrorKind
  /** For kind 'remote': the `code` property of the error the handler threw (if a string). */
  readonly remoteCode?: string
  /** True when the request may have reached the server (its fate is unknown). */
  readonly maybeDelivered: boolean

  constructor(kind: RpcErrorKind, message: string, opts: {remoteCode?: string; maybeDelivered?: boolean} = {}) {
    super(message)
    this.name = 'RpcError'
    this.kind = kind
    if (opts.remoteCode !== undefined) this.remoteCode = opts.remoteCode
    // A remote error means the server ran (or refused) the call: it was delivered.
    this.maybeDelivered = opts.maybeDelivered ?? kind === 'remote'
  }
}
