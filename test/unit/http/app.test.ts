import {describe, expect, it} from 'vitest'
import {createApp} from '../../../src/agent/http/app.js'
import {HttpError} from '../../../src/agent/http/errors.js'
import {parseQueryOptions} from '../../../src/agent/http/query-options.js'
import type {HttpRequest, Route} from '../../../src/agent/http/types.js'

const req = (method: string, path: string, qs = ''): HttpRequest => ({method, path, query: new URLSearchParams(qs), headers: {}, body: Buffer.alloc(0)})

const routes: Route<{n: number}>[] = [
  {path: '/v1/kv/', methods: ['GET', 'PUT'], handler: (_r, p) => ({json: {rest: p.rest}, meta: {index: 7, knownLeader: true, lastContactMs: 0}})},
  {path: '/v1/status/leader', methods: ['GET'], handler: (_r, _p, ctx) => ({json: `n=${ctx.n}`})},
  {path: '/v1/boom', methods: ['GET'], handler: () => { throw new HttpError(400, 'Bad thing') }},
  {path: '/v1/crash', methods: ['GET'], handler: () => { throw new Error('unexpected') }},
]

describe('http app', () => {
  const app = createApp(routes, {n: 3})
  it('routes exact and prefix paths', async () => {
    expect((await app(req('GET', '/v1/status/leader'))).body).toBe('"n=3"')
    const r = await app(req('GET', '/v1/kv/a/b'))
    expect(JSON.parse(String(r.body))).toEqual({rest: 'a/b'})
    expect(r.headers['x-consul-index']).toBe('7')
    expect(r.headers['x-consul-knownleader']).toBe('true')
    expect(r.headers['x-consul-lastcontact']).toBe('0')
    expect(r.headers['x-consul-default-acl-policy']).toBe('allow')
  })
  it('404 for unknown paths, 405 with Allow for wrong methods', async () => {
    expect((await app(req('GET', '/v1/nope'))).status).toBe(404)
    const r = await app(req('DELETE', '/v1/status/leader'))
    expect(r.status).toBe(405)
    expect(r.headers.allow).toContain('GET')
  })
  it('renders HttpError as plain text and other errors as 500', async () => {
    const r = await app(req('GET', '/v1/boom'))
    expect([r.status, r.body, r.headers['content-type']]).toEqual([400, 'Bad thing', 'text/plain; charset=utf-8'])
    expect((await app(req('GET', '/v1/crash'))).status).toBe(500)
  })
  it('pretty-prints with ?pretty', async () => {
    const r = await app(req('GET', '/v1/kv/x', 'pretty'))
    expect(String(r.body)).toContain('\n')
  })
})

describe('query options', () => {
  const d = {defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000}
  it('parses index and wait, capping wait at the max', () => {
    expect(parseQueryOptions(req('GET', '/', 'index=5&wait=10s'), d)).toMatchObject({minIndex: 5, waitMs: 10_000, consistency: 'default'})
    expect(parseQueryOptions(req('GET', '/', 'index=5&wait=1h'), d).waitMs).toBe(600_000)
    expect(parseQueryOptions(req('GET', '/', 'stale'), d).consistency).toBe('stale')
  })
  it('rejects bad values and conflicting consistency', () => {
    expect(() => parseQueryOptions(req('GET', '/', 'stale&consistent'), d)).toThrow(/Cannot specify \?stale with \?consistent/)
    expect(() => parseQueryOptions(req('GET', '/', 'wait=10'), d)).toThrow(/Invalid wait time/)
    expect(() => parseQueryOptions(req('GET', '/', 'index=abc'), d)).toThrow(/Invalid index/)
  })
})
