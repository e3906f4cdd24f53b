import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AddressInfo} from 'node:net'
import {describe, expect, it} from 'vitest'
import {ApiError, ConsulClient, type HttpRequest, type HttpResponse} from '../../../src/api/client.js'
import {encodeQuery, parseMeta} from '../../../src/api/query.js'

type Reply = Partial<HttpResponse> & {json?: unknown; text?: string}

/** A transport that records requests and answers from a list (no sockets). */
function fake(...replies: Reply[]) {
  const seen: HttpRequest[] = []
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    seen.push(req)
    const r = replies.shift() ?? {}
    const body = r.body ?? Buffer.from(r.json !== undefined ? JSON.stringify(r.json) : r.text ?? '')
    return {status: r.status ?? 200, headers: r.headers ?? {}, body}
  }
  return {seen, transport}
}

const client = (t: ReturnType<typeof fake>, o: {token?: string; datacenter?: string} = {}) =>
  new ConsulClient({address: '127.0.0.1:8500', env: {}, transport: t.transport, ...o})

describe('query encoding', () => {
  it('writes true as a bare key, repeats arrays, drops false/undefined', () => {
    expect(encodeQuery({recurse: true, stale: false, x: undefined, tag: ['a', 'b c'], index: 7})).toBe('?recurse&tag=a&tag=b%20c&index=7')
    expect(encodeQuery({})).toBe('')
  })

  it('parses X-Consul-* headers into meta', () => {
    expect(parseMeta({'x-consul-index': '42', 'x-consul-knownleader': 'true', 'x-consul-lastcontact': '15'})).toEqual({lastIndex: 42, knownLeader: true, lastContact: 15})
    expect(parseMeta({})).toEqual({lastIndex: 0, knownLeader: false, lastContact: 0})
  })
})

describe('ConsulClient requests', () => {
  it('KV get: path, blocking params, token header, dc, meta; 404 → null', async () => {
    const t = fake(
      {json: [{Key: 'a/b', Flags: 0, Value: 'MQ==', CreateIndex: 1, ModifyIndex: 2, LockIndex: 0}], headers: {'x-consul-index': '2', 'x-consul-knownleader': 'true'}},
      {status: 404, headers: {'x-consul-index': '9'}},
    )
    const c = client(t, {token: 'secret', datacenter: 'dc2'})
    const r = await c.kv.get('/a/b', {index: 1, wait: '30s', consistent: true})
    expect(r.body?.Key).toBe('a/b')
    expect(r.meta).toEqual({lastIndex: 2, knownLeader: true, lastContact: 0})
    expect(t.seen[0].method).toBe('GET')
    expect(t.seen[0].url).toBe('http://127.0.0.1:8500/v1/kv/a/b?index=1&wait=30s&consistent&dc=dc2')
    expect(t.seen[0].headers['X-Consul-Token']).toBe('secret')
    const missing = await c.kv.get('nope')
    expect(missing.body).toBeNull()
    expect(missing.meta.lastIndex).toBe(9)
  })

  it('KV list/keys/put/cas/acquire/release/delete build Consul URLs', async () => {
    const t = fake({json: []}, {json: ['a/', 'b']}, {json: true}, {json: false}, {json: true}, {json: true}, {json: true}, {json: true}, {json: true})
    const c = client(t)
    expect((await c.kv.list('p', {stale: true})).body).toEqual([])
    expect((await c.kv.keys('p', '/')).body).toEqual(['a/', 'b'])
    expect((await c.kv.put('k', 'v', {flags: 3})).body).toBe(true)
    expect((await c.kv.cas('k', 'v', 5)).body).toBe(false)
    await c.kv.acquire('k', 'v', 'sess')
    await c.kv.release('k', 'v', 'sess')
    await c.kv.delete('k')
    await c.kv.deleteCAS('k', 8)
    await c.kv.deleteTree('p/')
    expect(t.seen.map((r) => `${r.method} ${r.url.replace('http://127.0.0.1:8500', '')}`)).toEqual([
      'GET /v1/kv/p?recurse&stale',
      'GET /v1/kv/p?keys&separator=%2F',
      'PUT /v1/kv/k?flags=3',
      'PUT /v1/kv/k?cas=5',
      'PUT /v1/kv/k?acquire=sess',
      'PUT /v1/kv/k?release=sess',
      'DELETE /v1/kv/k',
      'DELETE /v1/kv/k?cas=8',
      'DELETE /v1/kv/p/?recurse',
    ])
    expect(Buffer.from(t.seen[2].body!).toString()).toBe('v')
  })

  it('keeps slashes and escapes other characters in keys', async () => {
    const t = fake({status: 404})
    await client(t).kv.get('a b/c?d')
    expect(t.seen[0].url).toBe('http://127.0.0.1:8500/v1/kv/a%20b/c%3Fd')
  })

  it('agent, catalog, health, status, session, operator endpoints', async () => {
    const t = fake(
      {json: []}, {json: null}, {}, {}, {json: {web: []}}, {json: []}, {json: [{Node: {}, Service: {}, Checks: []}]},
      {json: '10.0.0.1:8300'}, {json: {ID: 'sid'}}, {json: {Servers: [], Index: 1}}, {json: ['dc1']},
    )
    const c = client(t, {datacenter: 'dc1'})
    await c.agent.members({wan: true})
    await c.catalog.node('n1')
    await c.agent.serviceRegister({Name: 'web', Port: 80})
    await c.agent.maintenance(true, 'upgrade')
    expect((await c.catalog.services({nodeMeta: {rack: 'r1'}, filter: 'x'})).body).toEqual({web: []})
    await c.catalog.service('web', ['v1'], {near: '_agent'})
    expect((await c.health.service('web', {passing: true})).body).toHaveLength(1)
    expect((await c.status.leader()).body).toBe('10.0.0.1:8300')
    expect((await c.session.create({TTL: '10s'})).body).toBe('sid')
    await c.operator.raftConfiguration({stale: true})
    await c.catalog.datacenters()
    expect(t.seen.map((r) => `${r.method} ${r.url.replace('http://127.0.0.1:8500', '')}`)).toEqual([
      'GET /v1/agent/members?wan=1&dc=dc1',
      'GET /v1/catalog/node/n1?dc=dc1',
      'PUT /v1/agent/service/register?dc=dc1',
      'PUT /v1/agent/maintenance?enable=true&reason=upgrade&dc=dc1',
      'GET /v1/catalog/services?filter=x&node-meta=rack%3Ar1&dc=dc1',
      'GET /v1/catalog/service/web?tag=v1&near=_agent&dc=dc1',
      'GET /v1/health/service/web?passing&dc=dc1',
      'GET /v1/status/leader?dc=dc1',
      'PUT /v1/session/create?dc=dc1',
      'GET /v1/operator/raft/configuration?stale&dc=dc1',
      'GET /v1/catalog/datacenters',
    ])
    expect(JSON.parse(Buffer.from(t.seen[2].body!).toString())).toEqual({Name: 'web', Port: 80})
    expect(t.seen[2].headers['Content-Type']).toBe('application/json')
  })

  it('txn: 409 is a rollback answer, not an error', async () => {
    const t = fake({status: 409, json: {Results: null, Errors: [{OpIndex: 0, What: 'failed'}]}}, {json: {Results: [{KV: {Key: 'a'}}], Errors: null}})
    const c = client(t)
    const bad = await c.txn.run([{KV: {Verb: 'cas', Key: 'a', Index: 1}}])
    expect(bad.body).toEqual({Committed: false, Results: null, Errors: [{OpIndex: 0, What: 'failed'}]})
    const ok = await c.txn.run([{KV: {Verb: 'get', Key: 'a'}}])
    expect(ok.body.Committed).toBe(true)
  })

  it('non-2xx becomes one ApiError with Consul\'s message; 403 carries a token hint', async () => {
    const t = fake({status: 500, text: 'No cluster leader'}, {status: 403, text: 'Permission denied'})
    const c = client(t)
    const e1 = await c.agent.self().catch((e: unknown) => e)
    expect(e1).toBeInstanceOf(ApiError)
    expect((e1 as ApiError).status).toBe(500)
    expect((e1 as ApiError).message).toBe('Unexpected response code: 500 (No cluster leader)')
    const e2 = (await c.kv.put('a', 'b').catch((e: unknown) => e)) as ApiError
    expect(e2.status).toBe(403)
    expect(e2.hint).toMatch(/token/)
  })

  it('resolves the address from flags, then CONSUL_HTTP_ADDR, then DC_HTTP_ADDR', () => {
    expect(new ConsulClient({env: {}}).baseUrl).toBe('http://127.0.0.1:8500')
    expect(new ConsulClient({env: {DC_HTTP_ADDR: '127.0.0.1:1'}}).baseUrl).toBe('http://127.0.0.1:1')
    expect(new ConsulClient({env: {DC_HTTP_ADDR: '127.0.0.1:1', CONSUL_HTTP_ADDR: 'https://127.0.0.1:2'}}).baseUrl).toBe('https://127.0.0.1:2')
    expect(new ConsulClient({address: 'http://127.0.0.1:3', env: {CONSUL_HTTP_ADDR: '127.0.0.1:2'}}).baseUrl).toBe('http://127.0.0.1:3')
    expect(new ConsulClient({env: {CONSUL_HTTP_ADDR: '127.0.0.1:2', CONSUL_HTTP_SSL: 'true'}}).baseUrl).toBe('https://127.0.0.1:2')
    expect(new ConsulClient({address: 'unix:///tmp/consul.sock', env: {}}).core.settings.endpoint.socketPath).toBe('/tmp/consul.sock')
    expect(() => new ConsulClient({address: 'ftp://x', env: {}})).toThrow(/scheme/)
  })

  it('token precedence: -token-file, -token, CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_TOKEN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-token-'))
    try {
      const f1 = join(dir, 'flag.token')
      const f2 = join(dir, 'env.token')
      writeFileSync(f1, 'from-flag-file\n')
      writeFileSync(f2, ' from-env-file ')
      const token = (o: {token?: string; tokenFile?: string; env: Record<string, string>}) =>
        new ConsulClient({address: '127.0.0.1:8500', ...o}).core.settings.token
      expect(token({env: {CONSUL_HTTP_TOKEN: 'from-env'}})).toBe('from-env')
      expect(token({env: {CONSUL_HTTP_TOKEN: 'from-env', CONSUL_HTTP_TOKEN_FILE: f2}})).toBe('from-env-file')
      expect(token({token: 'from-flag', env: {CONSUL_HTTP_TOKEN_FILE: f2}})).toBe('from-flag')
      expect(token({token: 'from-flag', tokenFile: f1, env: {}})).toBe('from-flag-file')
      expect(token({env: {}})).toBeUndefined()
      expect(() => token({tokenFile: join(dir, 'missing'), env: {}})).toThrow(/^Error loading token file/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('node transport (loopback)', () => {
  it('talks HTTP to a real server and reads headers', async () => {
    const srv = createServer((req, res) => {
      res.setHeader('X-Consul-Index', '77')
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify({url: req.url, token: req.headers['x-consul-token'] ?? null}))
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    try {
      const port = (srv.address() as AddressInfo).port
      const c = new ConsulClient({address: `127.0.0.1:${port}`, token: 't0k', env: {}})
      const r = await c.core.json<{url: string; token: string}>('GET', '/v1/agent/self')
      expect(r.body).toEqual({url: '/v1/agent/self', token: 't0k'})
      expect(r.meta.lastIndex).toBe(77)
    } finally {
      await new Promise((r) => srv.close(r))
    }
  })

  it('connection refused becomes an ApiError with status 0 and the agent hint', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as AddressInfo).port
    await new Promise((r) => srv.close(r))
    const err = (await new ConsulClient({address: `127.0.0.1:${port}`, env: {}}).agent.members().catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.message).toBe(`Get "http://127.0.0.1:${port}/v1/agent/members": dial tcp 127.0.0.1:${port}: connect: connection refused`)
    expect(err.hint).toBe('Is the agent running? Check -http-addr / CONSUL_HTTP_ADDR')
  })
})
