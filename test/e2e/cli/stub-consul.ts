import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface SeenRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface StubReply {
  status?: number
  json?: unknown
  text?: string
  headers?: Record<string, string>
}

type Handler = (req: SeenRequest) => StubReply

/**
 * A scripted stand-in for a Consul agent on 127.0.0.1:0: routes are
 * "METHOD /path" → reply; every request is recorded. Unrouted requests get
 * 404 with a text body, as Consul answers unknown paths.
 */
export class StubConsul {
  readonly seen: SeenRequest[] = []
  private readonly routes = new Map<string, Handler>()
  private server?: Server
  addr = ''

  on(route: string, reply: StubReply | Handler): this {
    this.routes.set(route, typeof reply === 'function' ? reply : () => reply)
    return this
  }

  reset(): void {
    this.seen.length = 0
    this.routes.clear()
  }

  /** Requests whose "METHOD /path" matches. */
  requests(route: string): SeenRequest[] {
    return this.seen.filter((r) => `${r.method} ${r.path}` === route)
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub')
        const seen: SeenRequest = {method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks)}
        this.seen.push(seen)
        const handler = this.routes.get(`${seen.method} ${seen.path}`)
        const reply = handler ? handler(seen) : {status: 404, text: `Unrouted ${seen.method} ${seen.path}`}
        res.statusCode = reply.status ?? 200
        for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v)
        if (reply.json !== undefined) {
          res.setHeader('Content-Type', 'application/json')
          res.end(JSON.stringify(reply.json))
        } else res.end(reply.text ?? '')
      })
    })
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.addr = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r))
  }
}
