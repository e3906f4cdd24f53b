import {EventEmitter} from 'node:events'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Consul from 'consul'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'

/*
 * dc must work unchanged with node-consul (npm `consul`), a real third-party Consul
 * client. Every call below goes through node-consul's own request building and
 * response decoding against a real `bin/run.js agent`; nothing is stubbed.
 * Results are loosely typed: node-consul's typings describe only some shapes.
 * One agent serves the file; tests run in order, and the catalog and health tests read
 * the services the agent tests registered (web-1, api-ok, api-bad).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any

let agent: RunningAgent
let consul: Consul
let web: Server
let webPort = 0
let cfgDir = ''
const NODE = 'test-node'

beforeAll(async () => {
  // A tiny local HTTP service for HTTP checks: /ok answers 200, /bad 500.
  web = createServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 500, {'content-type': 'text/plain'})
    res.end(req.url === '/ok' ? 'all good' : 'broken')
  })
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
  webPort = (web.address() as AddressInfo).port
  // A 1s minimum session TTL lets the TTL-expiry test finish in about two seconds.
  cfgDir = mkdtempSync(join(tmpdir(), 'dc-compat-cfg-'))
  writeFileSync(join(cfgDir, 'session.json'), JSON.stringify({session_ttl_min: '1s'}))
  agent = await startAgent({args: [`-config-dir=${cfgDir}`]})
  const port = Number(agent.httpAddr.split(':').pop())
  consul = new Consul({host: '127.0.0.1', port})
})

afterAll(async () => {
  consul?.destroy()
  await agent?.stop()
  agent?.cleanup()
  if (cfgDir) rmSync(cfgDir, {recursive: true, force: true})
  await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()))
})

const c = () => consul as Any

/**
 * node-consul resolves a falsy JSON body (`false`, `null`) as undefined. Its own watch
 * asks for the raw response with a `ctx` whose includeResponse is set; doing the same
 * lets these tests see the literal body Consul's API defines ([res, body]).
 */
const withRes = () => Object.assign(new EventEmitter(), {includeResponse: true})
const body = async (p: Promise<Any>) => {
  const [res, data] = await p
  expect(res.statusCode).toBe(200)
  return data
}

describe('node-consul: KV', () => {
  it('set/get a string value with flags and Consul field names', async () => {
    expect(await c().kv.set({key: 'app/config/db', value: 'postgres://db', flags: 42})).toBe(true)
    const e = await c().kv.get('app/config/db')
    expect(e.Key).toBe('app/config/db')
    expect(e.Value).toBe('postgres://db')
    expect(e.Flags).toBe(42)
    expect(e.LockIndex).toBe(0)
    expect(e.CreateIndex).toBeGreaterThan(0)
    expect(e.ModifyIndex).toBe(e.CreateIndex)
  })

  it('binary values round-trip as buffers (raw and decoded)', async () => {
    const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff])
    expect(await c().kv.set('bin/blob', bytes)).toBe(true)
    const raw = await c().kv.get({key: 'bin/blob', raw: true})
    expect(Buffer.isBuffer(raw)).toBe(true)
    expect(Buffer.compare(raw, bytes)).toBe(0)
    const decoded = await c().kv.get({key: 'bin/blob', buffer: true})
    expect(Buffer.isBuffer(decoded.Value)).toBe(true)
    expect(Buffer.compare(decoded.Value, bytes)).toBe(0)
  })

  it('a missing key reads as undefined; an empty value as null', async () => {
    expect(await c().kv.get('nope/not-here')).toBeUndefined()
    expect(await c().kv.set('empty/v', '')).toBe(true)
    const e = await c().kv.get('empty/v')
    expect(e.Key).toBe('empty/v')
    expect(e.Value).toBeNull()
  })

  it('keys with a separator, recursive get and recursive delete', async () => {
    for (const k of ['tree/a', 'tree/b/c', 'tree/b/d', 'tree/e/f/g']) {
      expect(await c().kv.set(k, `v:${k}`)).toBe(true)
    }
    expect(await c().kv.keys('tree/')).toEqual(['tree/a', 'tree/b/c', 'tree/b/d', 'tree/e/f/g'])
    expect(await c().kv.keys({key: 'tree/', separator: '/'})).toEqual(['tree/a', 'tree/b/', 'tree/e/'])
    const all = await c().kv.get({key: 'tree/', recurse: true})
    expect(all.map((e: Any) => [e.Key, e.Value])).toEqual([
      ['tree/a', 'v:tree/a'],
      ['tree/b/c', 'v:tree/b/c'],
      ['tree/b/d', 'v:tree/b/d'],
      ['tree/e/f/g', 'v:tree/e/f/g'],
    ])
    expect(await c().kv.del({key: 'tree/b/', recurse: true})).toBe(true)
    expect(await c().kv.keys('tree/')).toEqual(['tree/a', 'tree/e/f/g'])
    expect(await c().kv.del({key: 'tree/', recurse: true})).toBe(true)
    expect(await c().kv.get({key: 'tree/', recurse: true})).toBeUndefined()
  })

  it('keys with spaces, unicode and URL metacharacters round-trip', async () => {
    const keys = ['odd/with space', 'odd/ünïcødé/ключ', 'odd/q?x=1&y#frag', 'odd/100%/plus+sign']
    for (const k of keys) expect(await c().kv.set(k, `v:${k}`)).toBe(true)
    for (const k of keys) {
      const e = await c().kv.get(k)
      expect([e.Key, e.Value]).toEqual([k, `v:${k}`])
    }
    expect(await c().kv.keys('odd/')).toEqual([...keys].sort())
    expect(await c().kv.del({key: 'odd/', recurse: true})).toBe(true)
  })

  it('check-and-set via the cas option, for set and delete', async () => {
    expect(await c().kv.set({key: 'cas/k', value: 'one', cas: 0})).toBe(true)
    // cas=0 means "create only": a second create fails with a literal `false` body.
    expect(await body(c().kv.set({key: 'cas/k', value: 'two', cas: 0, ctx: withRes()}))).toBe(false)
    const e = await c().kv.get('cas/k')
    expect(e.Value).toBe('one')
    expect(await c().kv.set({key: 'cas/k', value: 'three', cas: e.ModifyIndex})).toBe(true)
    expect(await body(c().kv.set({key: 'cas/k', value: 'four', cas: e.ModifyIndex, ctx: withRes()}))).toBe(false)
    const e2 = await c().kv.get('cas/k')
    expect(e2.Value).toBe('three')
    expect(e2.ModifyIndex).toBeGreaterThan(e.ModifyIndex)
    expect(await body(c().kv.del({key: 'cas/k', cas: e.ModifyIndex, ctx: withRes()}))).toBe(false)
    expect(await c().kv.del({key: 'cas/k', cas: e2.ModifyIndex})).toBe(true)
    expect(await c().kv.get('cas/k')).toBeUndefined()
  })

  it('common query options: consistent, stale, dc, keys at the root', async () => {
    await c().kv.set({key: 'opts/k', value: 'v', dc: 'dc1'})
    expect((await c().kv.get({key: 'opts/k', consistent: true})).Value).toBe('v')
    expect((await c().kv.get({key: 'opts/k', stale: true})).Value).toBe('v')
    expect((await c().kv.get({key: 'opts/k', dc: 'dc1'})).Value).toBe('v')
    const [res] = await c().kv.get({key: 'opts/k', ctx: withRes()})
    // parseQueryMeta is a runtime static that node-consul's typings omit.
    const meta = (Consul as Any).parseQueryMeta(res)
    expect(BigInt(meta.LastIndex)).toBeGreaterThan(0n)
    expect(meta.KnownLeader).toBe(true)
    expect(meta.LastContact).toBe(0)
    expect(await c().kv.keys()).toContain('opts/k')
  })

  it('acquire/release a lock with a session', async () => {
    const {ID: s1} = await c().session.create({name: 'lock-a'})
    const {ID: s2} = await c().session.create({name: 'lock-b'})
    expect(await c().kv.set({key: 'locks/leader', value: 'a', acquire: s1})).toBe(true)
    // Re-acquiring by the holder succeeds; another session is refused.
    expect(await c().kv.set({key: 'locks/leader', value: 'a2', acquire: s1})).toBe(true)
    expect(await body(c().kv.set({key: 'locks/leader', value: 'b', acquire: s2, ctx: withRes()}))).toBe(false)
    const held = await c().kv.get('locks/leader')
    expect(held.Session).toBe(s1)
    expect(held.LockIndex).toBe(1)
    expect(held.Value).toBe('a2')
    // Only the holder can release.
    expect(await body(c().kv.set({key: 'locks/leader', value: 'x', release: s2, ctx: withRes()}))).toBe(false)
    expect(await c().kv.set({key: 'locks/leader', value: 'released', release: s1})).toBe(true)
    const free = await c().kv.get('locks/leader')
    expect(free.Session).toBeUndefined()
    expect(free.Value).toBe('released')
    await c().session.destroy(s1)
    await c().session.destroy(s2)
  })
})

describe('node-consul: sessions', () => {
  it('create with TTL and behavior; info, list, node, renew, destroy', async () => {
    const created = await c().session.create({name: 'worker', ttl: '30s', behavior: 'delete', lockdelay: '1s'})
    expect(created.ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const info = await c().session.info(created.ID)
    expect(info).toMatchObject({ID: created.ID, Name: 'worker', Node: NODE, TTL: '30s', Behavior: 'delete', LockDelay: 1e9})
    expect(info.CreateIndex).toBeGreaterThan(0)
    const listed = await c().session.list()
    expect(listed.map((s: Any) => s.ID)).toContain(created.ID)
    const mine = await c().session.node(NODE)
    expect(mine.find((s: Any) => s.ID === created.ID)?.Name).toBe('worker')
    const renewed = await c().session.renew(created.ID)
    expect(Array.isArray(renewed)).toBe(true)
    expect(renewed[0]).toMatchObject({ID: created.ID, TTL: '30s', Behavior: 'delete'})
    expect(await c().session.destroy(created.ID)).toBeUndefined()
    expect(await c().session.info(created.ID)).toBeUndefined()
    expect((await c().session.list()).map((s: Any) => s.ID)).not.toContain(created.ID)
  })

  it('renewing an unknown session is a 404 error; a too-short TTL a 400', async () => {
    const missing = '00000000-0000-4000-8000-000000000000'
    const err = await c().session.renew(missing).catch((e: Any) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.statusCode).toBe(404)
    expect(err.message).toBe(`Session id '${missing}' not found`)
    // Below session_ttl_min (1s here). dc answers 400; Consul's RPC layer answers 500
    // (docs/compatibility.md); node-consul rejects either way.
    const bad = await c().session.create({ttl: '500ms'}).catch((e: Any) => e)
    expect(bad).toBeInstanceOf(Error)
    expect(bad.statusCode).toBe(400)
    expect(bad.message).toContain('Invalid Session TTL')
    expect((await c().session.list()).some((x: Any) => x.TTL === '500ms')).toBe(false)
  })

  it('a session bound to node checks is listed for that node', async () => {
    const {ID} = await c().session.create({node: NODE, checks: ['serfHealth'], name: 'bound'})
    const info = await c().session.info(ID)
    expect(info.NodeChecks).toEqual(['serfHealth'])
    expect((await c().session.node(NODE)).map((s: Any) => s.ID)).toContain(ID)
    await c().session.destroy(ID)
  })

  it('a lock is released when its session TTL runs out without renewal', async () => {
    const {ID} = await c().session.create({name: 'short', ttl: '1s', lockdelay: '0s'})
    expect(await c().kv.set({key: 'ttl/lock', value: 'held', acquire: ID})).toBe(true)
    expect((await c().kv.get('ttl/lock')).Session).toBe(ID)
    // Consul invalidates an unrenewed session after at most twice its TTL.
    await waitFor(async () => (await c().session.info(ID)) === undefined, 8_000)
    const after = await c().kv.get('ttl/lock')
    expect(after.Session).toBeUndefined()
    expect(after.Value).toBe('held')
  })

  it('lock-delay blocks re-acquiring a lock right after its session is invalidated', async () => {
    const {ID: a} = await c().session.create({name: 'slow', lockdelay: '15s'})
    const {ID: b} = await c().session.create({name: 'next'})
    expect(await c().kv.set({key: 'delay/lock', value: 'a', acquire: a})).toBe(true)
    await c().session.destroy(a)
    expect(await body(c().kv.set({key: 'delay/lock', value: 'b', acquire: b, ctx: withRes()}))).toBe(false)
    // A zero lock-delay hands the lock over at once.
    const {ID: z} = await c().session.create({name: 'quick', lockdelay: '0s'})
    expect(await c().kv.set({key: 'delay/quick', value: 'z', acquire: z})).toBe(true)
    await c().session.destroy(z)
    expect(await c().kv.set({key: 'delay/quick', value: 'b', acquire: b})).toBe(true)
    expect((await c().kv.get('delay/quick')).Session).toBe(b)
    await c().session.destroy(b)
  })

  it('destroying a session releases its locks (release) or deletes its keys (delete)', async () => {
    const {ID: rel} = await c().session.create({name: 'rel', behavior: 'release'})
    const {ID: del} = await c().session.create({name: 'del', behavior: 'delete'})
    expect(await c().kv.set({key: 'sess/rel', value: 'r', acquire: rel})).toBe(true)
    expect(await c().kv.set({key: 'sess/del', value: 'd', acquire: del})).toBe(true)
    expect((await c().kv.get('sess/rel')).Session).toBe(rel)
    await c().session.destroy(rel)
    await c().session.destroy(del)
    const after = await c().kv.get('sess/rel')
    expect(after.Session).toBeUndefined()
    expect(after.Value).toBe('r')
    expect(after.LockIndex).toBe(1)
    expect(await c().kv.get('sess/del')).toBeUndefined()
  })
})

describe('node-consul: agent', () => {
  it('self and members describe this node', async () => {
    const self = await c().agent.self()
    expect(self.Config.NodeName).toBe(NODE)
    expect(self.Config.Datacenter).toBe('dc1')
    expect(self.Config.Server).toBe(true)
    expect(self.Member.Name).toBe(NODE)
    const members = await c().agent.members()
    const me = members.find((m: Any) => m.Name === NODE)
    expect(me).toBeDefined()
    expect(me.Addr).toBe('127.0.0.1')
    expect(me.Status).toBe(1)
    expect(me.Tags.role).toBe('consul')
  })

  it('registers a service with a TTL check; pass/fail drive its status', async () => {
    await c().agent.service.register({name: 'web', id: 'web-1', port: 8080, tags: ['v1', 'blue'], meta: {team: 'a'}, check: {ttl: '30s', notes: 'heartbeat'}})
    const services = await c().agent.service.list()
    expect(services['web-1']).toMatchObject({ID: 'web-1', Service: 'web', Port: 8080, Tags: ['v1', 'blue'], Meta: {team: 'a'}})
    let checks = await c().agent.check.list()
    expect(checks['service:web-1']).toMatchObject({CheckID: 'service:web-1', ServiceID: 'web-1', ServiceName: 'web', Status: 'critical', Notes: 'heartbeat', Node: NODE})
    await c().agent.check.pass({id: 'service:web-1', note: 'alive'})
    checks = await c().agent.check.list()
    expect(checks['service:web-1'].Status).toBe('passing')
    expect(checks['service:web-1'].Output).toBe('alive')
    await c().agent.check.fail({id: 'service:web-1', note: 'down'})
    checks = await c().agent.check.list()
    expect(checks['service:web-1'].Status).toBe('critical')
    expect(checks['service:web-1'].Output).toBe('down')
    await c().agent.check.warn('service:web-1')
    expect((await c().agent.check.list())['service:web-1'].Status).toBe('warning')
    await c().agent.check.pass('service:web-1')
    expect((await c().agent.check.list())['service:web-1'].Status).toBe('passing')
  })

  it('registers services with HTTP checks against a local server', async () => {
    await c().agent.service.register({name: 'api', id: 'api-ok', port: webPort, check: {http: `http://127.0.0.1:${webPort}/ok`, interval: '1s'}})
    await c().agent.service.register({name: 'api', id: 'api-bad', port: webPort, check: {http: `http://127.0.0.1:${webPort}/bad`, interval: '1s'}})
    const checks = await waitFor(async () => {
      const all = await c().agent.check.list()
      const ok = all['service:api-ok']
      const bad = all['service:api-bad']
      return ok?.Status === 'passing' && bad?.Status === 'critical' && bad.Output ? all : undefined
    }, 10_000)
    expect(checks['service:api-ok'].Output).toBe(`HTTP GET http://127.0.0.1:${webPort}/ok: 200 OK Output: all good`)
    expect(checks['service:api-bad'].Output).toBe(`HTTP GET http://127.0.0.1:${webPort}/bad: 500 Internal Server Error Output: broken`)
    expect(checks['service:api-ok'].Type).toBe('http')
  })

  it('service maintenance adds and removes a critical maintenance check', async () => {
    await c().agent.service.register({name: 'maint', id: 'maint-1', port: 1})
    await c().agent.service.maintenance({id: 'maint-1', enable: true, reason: 'upgrading'})
    const on = await c().agent.check.list()
    expect(on['_service_maintenance:maint-1']).toMatchObject({Status: 'critical', Notes: 'upgrading', ServiceID: 'maint-1'})
    await c().agent.service.maintenance({id: 'maint-1', enable: false})
    expect((await c().agent.check.list())['_service_maintenance:maint-1']).toBeUndefined()
  })

  it('registers a service with several checks and an initial status', async () => {
    await c().agent.service.register({
      name: 'multi',
      port: 7000,
      checks: [
        {checkid: 'multi-ttl', name: 'ttl probe', ttl: '30s', status: 'passing'},
        {checkid: 'multi-tcp', name: 'tcp probe', tcp: `127.0.0.1:${webPort}`, interval: '1s'},
      ],
    })
    const services = await c().agent.services()
    // Without an id, the service ID is its name.
    expect(services.multi).toMatchObject({ID: 'multi', Service: 'multi', Port: 7000})
    const checks = await waitFor(async () => {
      const all = await c().agent.checks()
      return all['multi-tcp']?.Status === 'passing' ? all : undefined
    }, 10_000)
    expect(checks['multi-ttl']).toMatchObject({Name: 'ttl probe', Status: 'passing', ServiceID: 'multi', Type: 'ttl'})
    expect(checks['multi-tcp']).toMatchObject({Name: 'tcp probe', ServiceID: 'multi', Type: 'tcp', Output: `TCP connect 127.0.0.1:${webPort}: Success`})
    await c().agent.service.deregister('multi')
  })

  it('registers address, tagged addresses and a check with deregister-after', async () => {
    await c().agent.service.register({
      name: 'edge',
      id: 'edge-1',
      address: '127.0.0.5',
      port: 8443,
      taggedaddresses: {lan: {address: '127.0.0.5', port: 8443}, wan: {address: '127.0.0.6', port: 443}},
      check: {ttl: '30s', deregistercriticalserviceafter: '10m', status: 'warning'},
    })
    const svc = (await c().agent.service.list())['edge-1']
    expect(svc).toMatchObject({Address: '127.0.0.5', Port: 8443})
    expect(svc.TaggedAddresses).toEqual({lan: {Address: '127.0.0.5', Port: 8443}, wan: {Address: '127.0.0.6', Port: 443}})
    expect((await c().agent.check.list())['service:edge-1'].Status).toBe('warning')
    const [inst] = await waitFor(async () => {
      const r = await c().catalog.service.nodes('edge')
      return r.length ? r : undefined
    })
    expect(inst).toMatchObject({ServiceAddress: '127.0.0.5', ServicePort: 8443})
    expect(inst.ServiceTaggedAddresses.wan).toEqual({Address: '127.0.0.6', Port: 443})
    await c().agent.service.deregister('edge-1')
  })

  it('registers and deregisters a standalone check', async () => {
    await c().agent.check.register({name: 'disk', id: 'disk-ttl', ttl: '30s', notes: 'free space'})
    let checks = await c().agent.check.list()
    expect(checks['disk-ttl']).toMatchObject({CheckID: 'disk-ttl', Name: 'disk', Notes: 'free space', Status: 'critical', ServiceID: ''})
    await c().agent.check.pass({id: 'disk-ttl', note: '80% free'})
    await waitFor(async () => (await c().health.node(NODE)).find((h: Any) => h.CheckID === 'disk-ttl')?.Status === 'passing')
    await c().agent.check.deregister('disk-ttl')
    checks = await c().agent.check.list()
    expect(checks['disk-ttl']).toBeUndefined()
    await waitFor(async () => !(await c().health.node(NODE)).some((h: Any) => h.CheckID === 'disk-ttl'))
  })

  it('node maintenance adds and removes _node_maintenance', async () => {
    await c().agent.maintenance({enable: true, reason: 'kernel upgrade'})
    const on = await c().agent.check.list()
    expect(on._node_maintenance).toMatchObject({Status: 'critical', Notes: 'kernel upgrade', ServiceID: ''})
    await c().agent.maintenance(false)
    expect((await c().agent.check.list())._node_maintenance).toBeUndefined()
  })

  it('a TTL update of an unknown check is a 404, of a non-TTL check a 500 (as Consul)', async () => {
    // Heartbeat loops re-register their service when Consul answers 404 here.
    const err = await c().agent.check.pass('no-such-check').catch((e: Any) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.statusCode).toBe(404)
    // node-consul uses a short text/plain body as the message; this one is longer.
    expect(err.response.body).toBe('Unknown check ID "no-such-check". Ensure that the check ID is passed, not the check name.')
    const notTtl = await c().agent.check.pass('service:api-ok').catch((e: Any) => e)
    expect(notTtl.statusCode).toBe(500)
    expect(notTtl.message).toBe('CheckID "service:api-ok" does not have associated TTL')
  })

  it('reload keeps services registered through the API', async () => {
    expect(await c().agent.reload()).toBeUndefined()
    expect((await c().agent.service.list())['web-1']?.Service).toBe('web')
  })

  it('deregisters a service, its checks, and its catalog entry', async () => {
    await c().agent.service.register({name: 'gone', id: 'gone-1', port: 9, check: {ttl: '30s'}})
    await waitFor(async () => (await c().catalog.service.nodes('gone')).length === 1)
    await c().agent.service.deregister('gone-1')
    expect((await c().agent.service.list())['gone-1']).toBeUndefined()
    expect((await c().agent.check.list())['service:gone-1']).toBeUndefined()
    await waitFor(async () => (await c().catalog.service.nodes('gone')).length === 0)
    expect((await c().catalog.service.list()).gone).toBeUndefined()
  })
})

describe('node-consul: catalog', () => {
  it('datacenters, nodes, node services', async () => {
    expect(await c().catalog.datacenters()).toEqual(['dc1'])
    const nodes = await c().catalog.node.list()
    const me = nodes.find((n: Any) => n.Node === NODE)
    expect(me.Address).toBe('127.0.0.1')
    expect(me.Datacenter).toBe('dc1')
    await waitFor(async () => (await c().catalog.node.services(NODE))?.Services?.['web-1'])
    const ns = await c().catalog.node.services(NODE)
    expect(ns.Node.Node).toBe(NODE)
    expect(ns.Services['web-1']).toMatchObject({ID: 'web-1', Service: 'web', Port: 8080, Tags: ['v1', 'blue']})
  })

  it('service list and service nodes filtered by tag', async () => {
    await waitFor(async () => (await c().catalog.service.list()).web)
    const list = await c().catalog.service.list()
    expect(list.consul).toEqual([])
    expect([...list.web].sort()).toEqual(['blue', 'v1'])
    const tagged = await c().catalog.service.nodes({service: 'web', tag: 'v1'})
    expect(tagged).toHaveLength(1)
    expect(tagged[0]).toMatchObject({Node: NODE, ServiceID: 'web-1', ServiceName: 'web', ServicePort: 8080, Address: '127.0.0.1'})
    expect(await c().catalog.service.nodes({service: 'web', tag: 'nope'})).toEqual([])
  })

  it('register and deregister an external node with a service and check', async () => {
    await c().catalog.register({
      node: 'ext-node',
      address: '127.0.0.2',
      nodemeta: {rack: 'r1'},
      service: {id: 'db-1', service: 'ext-db', tags: ['primary'], port: 5432},
      check: {checkid: 'db-alive', name: 'db alive', serviceid: 'db-1', status: 'passing'},
    })
    const ns = await c().catalog.node.services('ext-node')
    expect(ns.Node).toMatchObject({Node: 'ext-node', Address: '127.0.0.2', Meta: {rack: 'r1'}})
    expect(ns.Services['db-1']).toMatchObject({Service: 'ext-db', Tags: ['primary'], Port: 5432})
    const hc = await c().health.checks('ext-db')
    expect(hc).toHaveLength(1)
    expect(hc[0]).toMatchObject({Node: 'ext-node', CheckID: 'db-alive', Name: 'db alive', Status: 'passing', ServiceID: 'db-1'})
    const byMeta = await c().catalog.service.nodes({service: 'ext-db', 'node-meta': ['rack:r1']})
    expect(byMeta.map((e: Any) => [e.Node, e.ServiceID, e.NodeMeta.rack])).toEqual([['ext-node', 'db-1', 'r1']])
    expect(await c().catalog.service.nodes({service: 'ext-db', 'node-meta': ['rack:r2']})).toEqual([])
    expect((await c().catalog.node.list({'node-meta': ['rack:r1']})).map((n: Any) => n.Node)).toEqual(['ext-node'])
    // Deregister just the service first, then the node.
    await c().catalog.deregister({node: 'ext-node', serviceid: 'db-1'})
    expect((await c().catalog.node.services('ext-node')).Services).toEqual({})
    await c().catalog.deregister('ext-node')
    expect((await c().catalog.node.list()).map((n: Any) => n.Node)).not.toContain('ext-node')
    // Consul answers 200 `null` for an unknown node (node-consul itself surfaces undefined).
    expect(await c().catalog.node.services('ext-node')).toBeUndefined()
    expect(await body(c().catalog.node.services({node: 'ext-node', ctx: withRes()}))).toBeNull()
  })
})

describe('node-consul: health', () => {
  it('node checks include serfHealth', async () => {
    const checks = await c().health.node(NODE)
    const serf = checks.find((h: Any) => h.CheckID === 'serfHealth')
    expect(serf).toMatchObject({Node: NODE, Name: 'Serf Health Status', Status: 'passing', ServiceID: ''})
  })

  it('service checks and passing-only instances', async () => {
    await waitFor(async () => (await c().health.checks('api')).length === 2)
    const checks = await c().health.checks('api')
    expect(checks.map((h: Any) => h.CheckID).sort()).toEqual(['service:api-bad', 'service:api-ok'])
    const all = await c().health.service('api')
    expect(all.map((e: Any) => e.Service.ID).sort()).toEqual(['api-bad', 'api-ok'])
    // Each entry carries Node, Service and all its Checks (node-level serfHealth too).
    const okEntry = all.find((e: Any) => e.Service.ID === 'api-ok')
    expect(okEntry.Node.Node).toBe(NODE)
    expect(okEntry.Checks.map((h: Any) => h.CheckID).sort()).toEqual(['serfHealth', 'service:api-ok'])
    const passing = await waitFor(async () => {
      const r = await c().health.service({service: 'api', passing: true})
      return r.length === 1 ? r : undefined
    })
    expect(passing[0].Service.ID).toBe('api-ok')
    expect(passing[0].Checks.every((h: Any) => h.Status === 'passing')).toBe(true)
    // ?passing drops warning instances too.
    await c().agent.check.warn('service:web-1')
    await waitFor(async () => (await c().health.service({service: 'web', passing: true})).length === 0)
    await c().agent.check.pass('service:web-1')
    await waitFor(async () => (await c().health.service({service: 'web', passing: true})).length === 1)
  })

  it('service by tag, and with a filter expression', async () => {
    const byTag = await c().health.service({service: 'web', tag: 'blue'})
    expect(byTag.map((e: Any) => e.Service.ID)).toEqual(['web-1'])
    expect(await c().health.service({service: 'web', tag: 'green'})).toEqual([])
    const filtered = await c().health.service({service: 'api', filter: 'Service.ID == "api-bad"'})
    expect(filtered.map((e: Any) => e.Service.ID)).toEqual(['api-bad'])
  })

  it('checks by state', async () => {
    await waitFor(async () => (await c().health.state('critical')).some((h: Any) => h.CheckID === 'service:api-bad'))
    const critical = await c().health.state('critical')
    expect(critical.every((h: Any) => h.Status === 'critical')).toBe(true)
    const passing = await c().health.state('passing')
    expect(passing.map((h: Any) => h.CheckID)).toEqual(expect.arrayContaining(['serfHealth', 'service:api-ok']))
    expect(passing.every((h: Any) => h.Status === 'passing')).toBe(true)
    const any = await c().health.state('any')
    expect(any.length).toBe(critical.length + passing.length + (await c().health.state('warning')).length)
  })
})

describe('node-consul: status', () => {
  it('leader and peers', async () => {
    const leader = await c().status.leader()
    // The RPC address the agent is bound to (an ephemeral port), not a default :8300.
    expect(agent.rpcAddr).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(leader).toBe(agent.rpcAddr)
    expect(await c().status.peers()).toEqual([leader])
  })
})

describe('node-consul: transactions', () => {
  it('applies KV ops atomically and returns results', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const out = await c().transaction.create([
      {KV: {Verb: 'set', Key: 'txn/a', Value: b64('alpha'), Flags: 7}},
      {KV: {Verb: 'set', Key: 'txn/b', Value: b64('beta')}},
      {KV: {Verb: 'get', Key: 'txn/a'}},
    ])
    expect(out.Errors).toBeNull()
    expect(out.Results).toHaveLength(3)
    expect(out.Results[2].KV).toMatchObject({Key: 'txn/a', Flags: 7, Value: b64('alpha')})
    expect((await c().kv.get('txn/b')).Value).toBe('beta')
    // A failing check-index rolls the whole transaction back; the client sees the 409 as an error.
    const err = await c()
      .transaction.create([
        {KV: {Verb: 'set', Key: 'txn/c', Value: b64('gamma')}},
        {KV: {Verb: 'cas', Key: 'txn/a', Value: b64('x'), Index: 1}},
      ])
      .catch((e: Any) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.response.statusCode).toBe(409)
    expect(err.response.body.Errors[0]).toMatchObject({OpIndex: 1})
    expect(await c().kv.get('txn/c')).toBeUndefined()
  })
})

describe('node-consul: blocking queries via watch', () => {
  it('a health.service watch sees an instance become healthy', async () => {
    await c().agent.service.register({name: 'flip', id: 'flip-1', port: 1, check: {ttl: '30s'}})
    const snapshots: string[][] = []
    const errors: unknown[] = []
    const watch = c().watch({method: c().health.service, options: {service: 'flip', passing: true, wait: '5s'}})
    watch.on('change', (data: Any) => snapshots.push((data ?? []).map((e: Any) => e.Service.ID)))
    watch.on('error', (e: unknown) => errors.push(e))
    try {
      await waitFor(() => snapshots.length >= 1, 5_000)
      expect(snapshots[0]).toEqual([])
      await c().agent.check.pass('service:flip-1')
      await waitFor(() => snapshots.some((x) => x.includes('flip-1')), 5_000)
      expect(snapshots.at(-1)).toEqual(['flip-1'])
      expect(errors).toEqual([])
    } finally {
      watch.end()
      await c().agent.service.deregister('flip-1')
    }
  })

  it('a watch on a missing key sees it created; a recursive watch sees the prefix change', async () => {
    const single: unknown[] = []
    const tree: string[][] = []
    const errors: unknown[] = []
    const w1 = c().watch({method: c().kv.get, options: {key: 'later/k', wait: '5s'}})
    const w2 = c().watch({method: c().kv.get, options: {key: 'cfg/', recurse: true, wait: '5s'}})
    w1.on('change', (data: Any) => single.push(data?.Value))
    w2.on('change', (data: Any) => tree.push((data ?? []).map((e: Any) => `${e.Key}=${e.Value}`)))
    for (const w of [w1, w2]) w.on('error', (e: unknown) => errors.push(e))
    try {
      await waitFor(() => single.length >= 1 && tree.length >= 1, 5_000)
      expect(single).toEqual([undefined])
      expect(tree).toEqual([[]])
      await c().kv.set('later/k', 'now')
      await waitFor(() => single.includes('now'), 5_000)
      await c().kv.set('cfg/a', '1')
      await waitFor(() => tree.some((t) => t.includes('cfg/a=1')), 5_000)
      await c().kv.set('cfg/b', '2')
      await waitFor(() => tree.some((t) => t.length === 2), 5_000)
      expect(tree.at(-1)).toEqual(['cfg/a=1', 'cfg/b=2'])
      expect(errors).toEqual([])
    } finally {
      w1.end()
      w2.end()
    }
  })

  it('a wait that times out with nothing changed emits no change', async () => {
    await c().kv.set('quiet/k', 'q')
    const seen: unknown[] = []
    const errors: unknown[] = []
    const watch = c().watch({method: c().kv.get, options: {key: 'quiet/k', wait: '300ms'}})
    watch.on('change', (data: Any) => seen.push(data?.Value))
    watch.on('error', (e: unknown) => errors.push(e))
    try {
      await waitFor(() => seen.length >= 1, 5_000)
      const first = watch.updateTime()
      // At least two more blocking rounds come back on their wait timeout.
      await waitFor(() => watch.updateTime() > first, 5_000)
      const second = watch.updateTime()
      await waitFor(() => watch.updateTime() > second, 5_000)
      expect(seen).toEqual(['q'])
      expect(errors).toEqual([])
    } finally {
      watch.end()
    }
  })

  it('emits change events driven by X-Consul-Index', async () => {
    await c().kv.set('watch/k', 'v1')
    const seen: string[] = []
    const errors: unknown[] = []
    const watch = c().watch({method: c().kv.get, options: {key: 'watch/k', wait: '5s'}})
    watch.on('change', (data: Any) => seen.push(data?.Value))
    watch.on('error', (e: unknown) => errors.push(e))
    try {
      await waitFor(() => seen.length >= 1, 5_000)
      expect(seen[0]).toBe('v1')
      await c().kv.set('watch/k', 'v2')
      await waitFor(() => seen.includes('v2'), 5_000)
      await c().kv.del('watch/k')
      await waitFor(() => seen.length >= 3, 5_000)
      expect(seen).toEqual(['v1', 'v2', undefined])
      expect(errors).toEqual([])
    } finally {
      watch.end()
    }
  })
})
