import {request} from 'node:http'
import {afterEach, describe, expect, it} from 'vitest'
import {blockingSignal} from '../../../src/agent/http/query-options.js'
import {startHttpServer} from '../../../src/agent/http/server.js'
import type {HttpRequest, HttpResponse} from '../../../src/agent/http/types.js'

const HOST = '127.0.0.211'

describe('http server: the request abort signal', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  async function serve(handle: (req: HttpRequest) => Promise<HttpResponse>) {
    const s = await startHttpServer({host: HOST, port: 0, maxBodyBytes: 1024, handle})
    close = s.close
    return s.port
  }

  it('aborts a waiting request when its client leaves', async () => {
    let aborted!: () => void
    const sawAbort = new Promise<void>((r) => (aborted = r))
    const port = await serve(
      (req) =>
        new Promise((resolve) => {
          req.signal!.addEventListener('abort', () => {
            aborted()
            resolve({status: 200, headers: {}, body: ''})
          })
          // The handler is waiting: the client may now go away.
          clientReq.destroy()
        }),
    )
    const clientReq = request({host: HOST, port, path: '/v1/kv/a?index=5'})
    clientReq.on('error', () => {})
    clientReq.end()
    await sawAbort
  })

  it('does not abort a request that was answered', async () => {
    let seen: AbortSignal | undefined
    const port = await serve(async (req) => {
      seen = req.signal
      return {status: 200, headers: {'content-type': 'text/plain'}, body: 'ok'}
    })
    const body = await new Promise<string>((resolve, reject) => {
      const r = request({host: HOST, port, path: '/x', agent: false}, (res) => {
        let s = ''
        res.on('data', (c) => (s += c))
        res.on('end', () => resolve(s))
      })
      r.on('error', reject)
      r.end()
    })
    expect(body).toBe('ok')
    expect(seen?.aborted).toBe(false)
  })
})

describe('blockingSignal', () => {
  const req = (qs: string): HttpRequest => {
    const signal = new AbortController().signal
    return {method: 'GET', path: '/v1/kv/a', query: new URLSearchParams(qs), headers: {}, body: Buffer.alloc(0), signal}
  }
  it('hands the signal to blocking queries only', () => {
    const r = req('index=12&wait=1s')
    expect(blockingSignal(r)).toBe(r.signal)
    expect(blockingSignal(req('stale'))).toBeUndefined()
    expect(blockingSignal(req('index='))).toBeUndefined()
    expect(blockingSignal(req('index=0'))).toBeUndefined()
  })
})
