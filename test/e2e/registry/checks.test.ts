import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {call, checkStatus, configDir, httpTarget, instances, tcpTarget} from './helpers.js'

// A real agent with services from -config-dir, probing real loopback targets.

let agent: RunningAgent
let web: Awaited<ReturnType<typeof httpTarget>>
let db: Awaited<ReturnType<typeof tcpTarget>>
let conf: ReturnType<typeof configDir>

beforeAll(async () => {
  web = await httpTarget()
  db = await tcpTarget()
  conf = configDir()
  conf.write('web.json', {
    service: {
      name: 'web', id: 'web-1', tags: ['v1', 'primary'], port: 8080, meta: {version: '1.4'},
      check: {http: web.url, interval: '1s', timeout: '1s', success_before_passing: 2},
    },
  })
  conf.write('db.json', {services: [{name: 'db', port: 5432, check: {tcp: db.address, interval: '1s', timeout: '500ms'}}]})
  agent = await startAgent({args: ['-config-dir', conf.dir]})
}, 40_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
  await web?.close()
  await db?.close().catch(() => {})
  conf?.cleanup()
})

describe('HTTP check against a real target', () => {
  it('registers the config-dir service and passes once the target answered twice', async () => {
    await waitFor(async () => (await instances(agent, 'web', 'passing')).includes('web-1'), 20_000)
    expect(web.requests()).toBeGreaterThanOrEqual(2)
    const out = (await call(agent, 'GET', '/v1/agent/checks')).json['service:web-1']
    expect(out).toMatchObject({Status: 'passing', Type: 'http', Output: `HTTP GET ${web.url}: 200 OK Output: healthy`, Interval: '1s', Timeout: '1s'})
  })

  it('goes critical when the target fails and passes again only after success_before_passing', async () => {
    web.set(500)
    await waitFor(async () => !(await instances(agent, 'web', 'passing')).includes('web-1'), 15_000)
    const failed = (await call(agent, 'GET', '/v1/health/checks/web')).json[0]
    expect(failed).toMatchObject({Status: 'critical', Output: `HTTP GET ${web.url}: 500 Internal Server Error Output: unhealthy`})
    const before = web.requests()
    web.set(200)
    await waitFor(async () => (await instances(agent, 'web', 'passing')).includes('web-1'), 15_000)
    expect(web.requests() - before).toBeGreaterThanOrEqual(2)
  })
})

describe('TCP check against a real listener', () => {
  it('passes while the port accepts and turns critical once it is closed', async () => {
    await waitFor(async () => (await checkStatus(agent, 'service:db')) === 'passing', 15_000)
    await db.close()
    await waitFor(async () => (await checkStatus(agent, 'service:db')) === 'critical', 15_000)
    const c = (await call(agent, 'GET', '/v1/agent/checks')).json['service:db']
    expect(c.Output).toBe(`dial tcp ${db.address}: connect: connection refused`)
    expect(await instances(agent, 'db', 'passing')).toEqual([])
  })
})

describe('TTL checks and blocking health queries', () => {
  it('expires a TTL check that is not refreshed', async () => {
    expect((await call(agent, 'PUT', '/v1/agent/service/register', {Name: 'worker', Check: {TTL: '2s'}})).status).toBe(200)
    expect((await call(agent, 'PUT', '/v1/agent/check/pass/service:worker?note=alive')).status).toBe(200)
    expect(await instances(agent, 'worker', 'passing')).toEqual(['worker'])
    await waitFor(async () => (await checkStatus(agent, 'service:worker')) === 'critical', 10_000)
    // The agent's own view turns first; the catalog follows when anti-entropy syncs the change.
    const c = await waitFor(async () => {
      const [check] = (await call(agent, 'GET', '/v1/health/checks/worker')).json as {Status: string; Output: string}[]
      return check?.Status === 'critical' ? check : undefined
    }, 10_000)
    expect(c.Output).toBe('TTL expired (last output before timeout follows): alive')
  })

  it('wakes a parked blocking query when the status changes', async () => {
    const first = await call(agent, 'GET', '/v1/health/service/worker?passing')
    expect(first.json).toEqual([])
    const index = first.headers.get('x-consul-index')!
    const started = Date.now()
    const parked = call(agent, 'GET', `/v1/health/service/worker?passing&index=${index}&wait=30s`)
    await call(agent, 'PUT', '/v1/agent/check/pass/service:worker')
    const woke = await parked
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(index))
    expect(woke.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['worker'])
  })
})

describe('response shapes over HTTP', () => {
  it('matches Consul field names on agent, catalog and health endpoints', async () => {
    const svc = (await call(agent, 'GET', '/v1/agent/services')).json['web-1']
    expect(svc).toMatchObject({ID: 'web-1', Service: 'web', Tags: ['v1', 'primary'], Meta: {version: '1.4'}, Port: 8080, Address: '', Weights: {Passing: 1, Warning: 1}, EnableTagOverride: false, Datacenter: 'dc1'})
    const row = (await call(agent, 'GET', '/v1/catalog/service/web?tag=v1')).json[0]
    expect(Object.keys(row)).toEqual(expect.arrayContaining(['ID', 'Node', 'Address', 'Datacenter', 'TaggedAddresses', 'NodeMeta', 'ServiceID', 'ServiceName', 'ServiceTags', 'ServiceAddress', 'ServicePort', 'ServiceMeta', 'ServiceWeights', 'ServiceEnableTagOverride', 'ServiceTaggedAddresses', 'CreateIndex', 'ModifyIndex']))
    expect(row).toMatchObject({Node: 'test-node', ServiceID: 'web-1', ServiceName: 'web', ServicePort: 8080, ServiceMeta: {version: '1.4'}})
    const entry = (await call(agent, 'GET', '/v1/health/service/web')).json[0]
    expect(Object.keys(entry)).toEqual(['Node', 'Service', 'Checks'])
    expect(entry.Node).toMatchObject({Node: 'test-node', Address: '127.0.0.1', Datacenter: 'dc1'})
    expect(entry.Checks.map((c: {CheckID: string}) => c.CheckID)).toEqual(['serfHealth', 'service:web-1'])
    expect(entry.Checks[0]).toMatchObject({Name: 'Serf Health Status', Status: 'passing', ServiceID: ''})
    const services = (await call(agent, 'GET', '/v1/catalog/services')).json
    expect(services).toMatchObject({web: ['primary', 'v1'], db: [], worker: []})
    expect((await call(agent, 'GET', '/v1/catalog/datacenters')).json).toEqual(['dc1'])
  })

  it('answers bad registrations with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{Name: 'x', Port: 99999}, /Port/],
      [{Port: 1}, /Missing service name/],
      [{Name: 'x', Check: {HTTP: web.url, Interval: '10 seconds'}}, /Check.Interval/],
      [{Name: 'x', Check: {Name: 'mystery'}}, /unknown check type/],
      [{Name: 'x', Check: {Args: ['/bin/true'], Interval: '1s'}}, /Scripts are disabled/],
    ]
    for (const [body, message] of cases) {
      const r = await call(agent, 'PUT', '/v1/agent/service/register', body)
      expect(r.status).toBe(400)
      expect(r.text).toMatch(message)
    }
    const ttl = await call(agent, 'PUT', '/v1/agent/check/pass/unknown-check')
    expect([ttl.status, ttl.text]).toEqual([404, 'Unknown check ID "unknown-check". Ensure that the check ID is passed, not the check name.'])
    expect(Object.keys((await call(agent, 'GET', '/v1/agent/services')).json).sort()).toEqual(['db', 'web-1', 'worker'])
  })
})
