import {request as httpRequest, type IncomingMessage} from 'node:http'

/**
 * The socket-facing port of the client. The default uses node:http (not fetch:
 * undici's 300 s header timeout would cut long blocking queries short). Tests
 * pass their own function to run the client without sockets.
 */
export interface HttpRequest {
  method: string
  /** Absolute URL including the query string. */
  url: string
  headers: Record<string, string>
  body?: Uint8Array
  socketPath?: string
}

export interface HttpResponse {
  status: number
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  body: Uint8Array
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>

export const nodeTransport: Transport = async (req) => {
  const url = new URL(req.url)
  // https pulls in tls + crypto; load it only when asked for.
  const send = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest
  // Node sends DELETE/GET bodies neither chunked nor sized unless told: give the length.
  const headers = req.body === undefined ? req.headers : {...req.headers, 'content-length': String(req.body.length)}
  return new Promise<HttpResponse>((resolve, reject) => {
    const r = send(
      url,
      {method: req.method, headers, socketPath: req.socketPath, agent: false},
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const headers: Record<string, string | undefined> = {}
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v
          resolve({status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks)})
        })
      },
    )
    r.on('error', reject)
    r.end(req.body === undefined ? undefined : Buffer.from(req.body))
  })
}
