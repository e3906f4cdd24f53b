import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../helpers/agent.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json()
let agent: RunningAgent
const http = (path: string, init?: RequestInit) => fetch(agent.url + path, init)
const put = (path: string, body?: string | Buffer) => http(path, {method: 'PUT', body})

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dc-kv-cfg-'))
  writeFileSync(join(dir, 'limits.json'), JSON.stringify({session_ttl_min: '1s', limits: {kv_max_value_size: 1024}}))
  agent = await startAgent({args: [`-config-dir=${dir}`]})
})
afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

describe('KV API', () => {
  it('puts and gets with Consul field names, base64 values and X-Consul headers', async () => {
    expect(await json(put('/v1/kv/app/config/db?flags=42', '{"host":"10.0.0.5"}'))).toBe(true)
    const res = await http('/v1/kv/app/config/db')
    expect(res.status).toBe(200)
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(0)
    expect(res.headers.get('x-consul-knownleader')).toBe('true')
    expect(res.headers.get('x-consul-lastcontact')).toBe('0')
    const [e] = await json(res)
    expect(Object.keys(e).sort()).toEqual(['CreateIndex', 'Flags', 'Key', 'LockIndex', 'ModifyIndex', 'Value'])
    expect(e).toMatchObject({Key: 'app/config/db', Flags: 42, LockIndex: 0})
    expect(Buffer.from(e.Value, 'base64').toString()).toBe('{"host":"10.0.0.5"}')
    const raw = await http('/v1/kv/app/config/db?raw')
    expect(await raw.text()).toBe('{"host":"10.0.0.5"}')
    expect(raw.headers.get('content-type')).toContain('text/plain')
  })

  it('lists with ?recurse and ?keys (with separator); 404 keeps an index', async () => {
    await put('/v1/kv/list/a', '1')
    await put('/v1/kv/list/b/c', '2')
    await put('/v1/kv/list/b/d', '3')
    const all = await json(http('/v1/kv/list/?recurse'))
    expect(all.map((e: {Key: string}) => e.Key)).toEqual(['list/a', 'list/b/c', 'list/b/d'])
    expect(await json(http('/v1/kv/list/?keys'))).toEqual(['list/a', 'list/b/c', 'list/b/d'])
    expect(await json(http('/v1/kv/list/?keys&separator=/'))).toEqual(['list/a', 'list/b/'])
    const missing = await http('/v1/kv/list/none')
    expect(missing.status).toBe(404)
    expect(Number(missing.headers.get('x-consul-index'))).toBeGreaterThan(0)
  })

  it('CAS: 0 creates only; a stale index fails; delete with cas and recurse', async () => {
    expect(await json(put('/v1/kv/cas/x?cas=0', 'v1'))).toBe(true)
    expect(await json(put('/v1/kv/cas/x?cas=0', 'v2'))).toBe(false)
    const [e] = await json(http('/v1/kv/cas/x'))
    expect(await json(put(`/v1/kv/cas/x?cas=${e.ModifyIndex}`, 'v3'))).toBe(true)
    expect(await json(put(`/v1/kv/cas/x?cas=${e.ModifyIndex}`, 'v4'))).toBe(false)
    expect(await json(http(`/v1/kv/cas/x?cas=1`, {method: 'DELETE'}))).toBe(false)
    await put('/v1/kv/cas/y', 'y')
    expect(await json(http('/v1/kv/cas/?recurse', {method: 'DELETE'}))).toBe(true)
    expect((await http('/v1/kv/cas/?recurse')).status).toBe(404)
  })

  it('20 concurrent CAS writers: exactly one winner per index', async () => {
    await put('/v1/kv/race', '0')
    const wins: number[] = []
    for (let round = 0; round < 5; round++) {
      const [e] = await json(http('/v1/kv/race'))
      const results = await Promise.all(
        Array.from({length: 20}, (_, i) => put(`/v1/kv/race?cas=${e.ModifyIndex}`, `r${round}w${i}`).then(json)),
      )
      wins.push(results.filter((r) => r === true).length)
    }
    expect(wins).toEqual([1, 1, 1, 1, 1])
  })

  it('blocking query returns when the key changes and times out with the same index', async () => {
    await put('/v1/kv/block/k', 'a')
    const first = await http('/v1/kv/block/k')
    const idx = first.headers.get('x-consul-index')!
    const t0 = Date.now()
    const timedOut = await http(`/v1/kv/block/k?index=${idx}&wait=300ms`)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    expect(timedOut.headers.get('x-consul-index')).toBe(idx)
    const pending = http(`/v1/kv/block/k?index=${idx}&wait=30s`)
    await put('/v1/kv/block/k', 'b')
    const woke = await pending
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(idx))
    const [e] = await json(woke)
    expect(Buffer.from(e.Value, 'base64').toString()).toBe('b')
  })

  it('sessions lock keys; TTL expiry releases the lock', async () => {
    const {ID} = await json(put('/v1/session/create', JSON.stringify({Name: 'lock-test', TTL: '1s', LockDelay: '0s'})))
    expect(ID).toMatch(/^[0-9a-f-]{36}$/)
    expect(await json(put(`/v1/kv/locks/leader?acquire=${ID}`, 'me'))).toBe(true)
    const [held] = await json(http('/v1/kv/locks/leader'))
    expect(held).toMatchObject({Session: ID, LockIndex: 1})
    const [info] = await json(http(`/v1/session/info/${ID}`))
    expect(info).toMatchObject({ID, Name: 'lock-test', TTL: '1s', Behavior: 'release', Node: 'test-node'})
    // No renewals: the leader invalidates after 2×TTL and the lock is released.
    await waitFor(async () => {
      const [e] = await json(http('/v1/kv/locks/leader'))
      return e.Session === undefined
    }, 15_000)
    expect(await json(http(`/v1/session/info/${ID}`))).toEqual([])
  })

  it('txn commits atomically and rolls back with per-op errors (409)', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const ok = await put('/v1/txn', JSON.stringify([
      {KV: {Verb: 'set', Key: 'txn/a', Value: b64('1')}},
      {KV: {Verb: 'set', Key: 'txn/b', Value: b64('2')}},
      {KV: {Verb: 'get', Key: 'txn/a'}},
    ]))
    expect(ok.status).toBe(200)
    const body = await json(ok)
    expect(body.Errors).toBeNull()
    expect(body.Results).toHaveLength(3)
    expect(Buffer.from(body.Results[2].KV.Value, 'base64').toString()).toBe('1')
    const bad = await put('/v1/txn', JSON.stringify([
      {KV: {Verb: 'set', Key: 'txn/c', Value: b64('3')}},
      {KV: {Verb: 'cas', Key: 'txn/a', Value: b64('x'), Index: 1}},
    ]))
    expect(bad.status).toBe(409)
    const err = await json(bad)
    expect(err.Results).toBeNull()
    expect(err.Errors[0].OpIndex).toBe(1)
    expect((await http('/v1/kv/txn/c')).status).toBe(404)
  })

  it('answers bad input with 4xx and keeps running', async () => {
    const cases: [Promise<Response>, number, RegExp?][] = [
      [put('/v1/session/create', '{"Name": '), 400, /decode/i],
      [put('/v1/txn', 'not json'), 400],
      [http('/v1/no/such/path'), 404],
      [http('/v1/status/leader', {method: 'DELETE'}), 405],
      [put('/v1/kv/big', Buffer.alloc(2048, 1)), 413, /too large/],
      [put('/v1/kv/', 'x'), 400, /Missing key name/],
      [put('/v1/kv//leading', 'x'), 400, /must not begin/],
      [http('/v1/kv/x?stale&consistent'), 400, /conflicting/],
      [http('/v1/kv/x?index=1&wait=forever'), 400, /Invalid wait/],
      [put('/v1/session/create', JSON.stringify({TTL: '25h'})), 400, /Invalid Session TTL/],
      [put('/v1/session/create', JSON.stringify({TTL: '10 seconds'})), 400],
      [put('/v1/kv/x?cas=1&acquire=abc', 'x'), 400, /Conflicting/],
      [http('/v1/kv/x?dc=nowhere'), 500, /No path to datacenter/],
      [put('/v1/session/create?dc=nowhere', '{}'), 500, /No path to datacenter/],
    ]
    for (const [p, status, msg] of cases) {
      const r = await p
      expect(r.status).toBe(status)
      if (msg) expect(await r.text()).toMatch(msg)
    }
    const m = await http('/v1/status/leader', {method: 'DELETE'})
    expect(m.headers.get('allow')).toContain('GET')
    expect((await http('/v1/status/leader')).status).toBe(200)
  })

  it('serves status, self and members', async () => {
    // The RPC address this server is bound to (an ephemeral port), in status and in its gossip tags.
    expect(agent.rpcAddr).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await json(http('/v1/status/leader'))).toBe(agent.rpcAddr)
    expect(await json(http('/v1/status/peers'))).toEqual([agent.rpcAddr])
    const self = await json(http('/v1/agent/self'))
    expect(self.Config).toMatchObject({Datacenter: 'dc1', NodeName: 'test-node', Server: true})
    expect(self.Stats.raft.state).toBe('Leader')
    const members = await json(http('/v1/agent/members'))
    expect(members).toHaveLength(1)
    expect(members[0]).toMatchObject({Name: 'test-node', Status: 1, Tags: {role: 'consul', dc: 'dc1', port: agent.rpcAddr.split(':')[1]}})
  })
})
