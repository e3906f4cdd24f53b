import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {HttpRequest, HttpResponse} from './types.js'

export interface HttpServerOptions {
  host: string
  port: number
  /** Bodies larger than this are refused with 413 before they are buffered. */
  maxBodyBytes: number
  handle: (req: HttpRequest) => Promise<HttpResponse>
}

/** The node:http adapter around the socket-free app. */
export async function startHttpServer(opts: HttpServerOptions): Promise<{server: Server; address: string; port: number; close(): Promise<void>}> {
  const server = createServer((req, res) => {
    void serve(req, res, opts)
  })
  server.keepAliveTimeout = 30_000
  // Blocking queries hold a request for up to 10 minutes plus jitter.
  server.requestTimeout = 0
  server.headersTimeout = 60_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    server,
    address: `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions) {
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://agent')
  } catch {
    return send(res, {status: 400, headers: {'content-type': 'text/plain'}, body: 'Invalid URL'})
  }
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > opts.maxBodyBytes) {
    return send(res, tooLarge(declared, opts.maxBodyBytes), true)
  }
  const body = await readBody(req, opts.maxBodyBytes)
  if (body === 'aborted') return // client went away mid-body
  if (typeof body === 'number') return send(res, tooLarge(body, opts.maxBodyBytes), true)
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return send(res, {status: 400, headers: {'content-type': 'text/plain'}, body: 'Invalid URL path encoding'})
  }
  try {
    const out = await opts.handle(new NodeRequest(req, res, path, url.searchParams, body))
    send(res, out)
  } catch (e) {
    send(res, {status: 500, headers: {'content-type': 'text/plain'}, body: String((e as Error)?.message ?? e)})
  }
}

/**
 * One request as the app sees it. The abort signal is built on first use: creating an
 * AbortSignal costs about 10 µs in Node 20, a fifth of a whole stale KV read, and only
 * requests that wait (blocking queries) look at it. A class, not an object literal with a
 * getter: V8 pretenured such literals here and old-space garbage tripled GC time.
 */
class NodeRequest implements HttpRequest {
  readonly method: string
  readonly headers: Record<string, string | undefined>
  readonly remoteAddr: string | undefined
  private ac?: AbortController

  constructor(req: IncomingMessage, private readonly res: ServerResponse, readonly path: string, readonly query: URLSearchParams, readonly body: Buffer) {
    this.method = req.method ?? 'GET'
    this.headers = flatHeaders(req)
    this.remoteAddr = req.socket.remoteAddress
  }

  /** Aborted when the client leaves before its answer is sent. */
  get signal(): AbortSignal {
    if (!this.ac) {
      const ac = (this.ac = new AbortController())
      const res = this.res
      // Aborting builds a DOMException: only do it for a client that left before its answer.
      const onClose = () => {
        if (!res.writableFinished) ac.abort()
      }
      if (res.closed) onClose()
      else res.once('close', onClose)
    }
    return this.ac.signal
  }
}

/** node:http joins repeated headers with ", " except Set-Cookie (an array): join that one too. */
function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  if (req.headers['set-cookie'] === undefined) return req.headers as Record<string, string | undefined>
  const headers: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
  return headers
}

/**
 * The request body, or its size so far once it passes `max`, or 'aborted'. Plain
 * 'data'/'end' events: the async iterator costs several promise hops per request.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | number | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (v: Buffer | number | 'aborted') => {
      if (done) return
      done = true
      req.off('data', onData)
      resolve(v)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) return finish(size)
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => finish(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.on('error', () => finish('aborted'))
    req.on('aborted', () => finish('aborted'))
  })
}

function tooLarge(size: number, max: number): HttpResponse {
  return {
    status: 413,
    headers: {'content-type': 'text/plain; charset=utf-8'},
    body: `Request body(${size} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
  }
}

function send(res: ServerResponse, out: HttpResponse, close = false) {
  if (res.writableEnded || res.destroyed) return
  if (close) res.setHeader('connection', 'close')
  res.writeHead(out.status, out.headers)
  res.end(out.body)
}
