import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {NODE, NODE_ID, appHarness, type AppHarness} from './app-harness.js'

let h: AppHarness
beforeEach(async () => {
  h = await appHarness()
})
afterEach(async () => {
  await h.close()
})

const web = {
  ID: 'web-1',
  Name: 'web',
  Tags: ['v1', 'primary'],
  Address: '10.0.0.5',
  Port: 8080,
  Meta: {version: '1.4'},
  Weights: {Passing: 10, Warning: 1},
  Check: {TTL: '30s', Notes: 'ttl note'},
}

async function registerWeb() {
  const r = await h.call('PUT', '/v1/agent/service/register', {body: web})
  expect(r.status).toBe(200)
}

// Consul's field sets, used as golden shapes below.
const agentServiceShape = {
  ID: 'web-1', Service: 'web', Tags: ['v1', 'primary'], Meta: {version: '1.4'}, Port: 8080, Address: '10.0.0.5',
  Weights: {Passing: 10, Warning: 1}, EnableTagOverride: false, Datacenter: 'dc1',
}
const healthCheckShape = (over: Record<string, unknown>) => ({
  Node: NODE, CheckID: expect.any(String), Name: expect.any(String), Status: expect.any(String), Notes: expect.any(String),
  Output: expect.any(String), ServiceID: expect.any(String), ServiceName: expect.any(String), ServiceTags: expect.any(Array),
  Type: expect.any(String), Interval: expect.any(String), Timeout: expect.any(String), ExposedPort: 0, Definition: expect.any(Object),
  CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number), ...over,
})
const nodeShape = {
  ID: NODE_ID, Node: NODE, Address: '127.0.0.1', Datacenter: 'dc1',
  TaggedAddresses: {lan: '127.0.0.1', lan_ipv4: '127.0.0.1', wan: '127.0.0.1', wan_ipv4: '127.0.0.1'},
  Meta: {'consul-network-segment': ''}, CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number),
}
const nodeServiceShape = {
  ID: 'web-1', Service: 'web', Tags: ['v1', 'primary'], Address: '10.0.0.5', Meta: {version: '1.4'}, Port: 8080,
  Weights: {Passing: 10, Warning: 1}, EnableTagOverride: false, Proxy: {MeshGateway: {}, Expose: {}}, Connect: {},
  CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number),
}

describe('agent service endpoints', () => {
  it('registers from a PascalCase body and lists api.AgentService shapes', async () => {
    await registerWeb()
    const r = await h.call('GET', '/v1/agent/services')
    expect(r.status).toBe(200)
    expect(Object.keys(r.json)).toEqual(['web-1'])
    expect(r.json['web-1']).toEqual(agentServiceShape)
    expect(r.headers['x-consul-index']).toBeUndefined()
  })

  it('accepts the snake_case spelling of config files', async () => {
    const r = await h.call('PUT', '/v1/agent/service/register', {body: {name: 'db', id: 'db-1', port: 5432, enable_tag_override: true, tagged_addresses: {lan: {address: '10.0.0.9', port: 5432}}, check: {ttl: '10s', deregister_critical_service_after: '90m'}}})
    expect(r.status).toBe(200)
    const s = (await h.call('GET', '/v1/agent/service/db-1')).json
    expect(s).toMatchObject({ID: 'db-1', Service: 'db', Port: 5432, EnableTagOverride: true, TaggedAddresses: {lan: {Address: '10.0.0.9', Port: 5432}}, ContentHash: expect.stringMatching(/^[0-9a-f]{16}$/)})
    const c = (await h.call('GET', '/v1/agent/checks')).json['service:db-1']
    expect(c.Definition).toMatchObject({TTL: '10s', DeregisterCriticalServiceAfter: '1h30m0s'})
  })

  it('filters agent services and checks', async () => {
    await registerWeb()
    await h.call('PUT', '/v1/agent/service/register', {body: {Name: 'api', Port: 9000, Tags: ['v2']}})
    const r = await h.call('GET', '/v1/agent/services', {query: 'filter=' + encodeURIComponent('Tags contains "v1" and Meta.version == "1.4"')})
    expect(Object.keys(r.json)).toEqual(['web-1'])
    const c = await h.call('GET', '/v1/agent/checks', {query: 'filter=' + encodeURIComponent('ServiceName == web')})
    expect(Object.keys(c.json)).toEqual(['service:web-1'])
    const bad = await h.call('GET', '/v1/agent/services', {query: 'filter=' + encodeURIComponent('Tags contains')})
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/1:14 \(13\)/)
  })

  it('renders agent checks with every HealthCheck field', async () => {
    await registerWeb()
    const r = await h.call('GET', '/v1/agent/checks')
    expect(r.json['service:web-1']).toEqual(healthCheckShape({
      CheckID: 'service:web-1', Name: "Service 'web' check", Status: 'critical', Notes: 'ttl note', Output: '', ServiceID: 'web-1',
      ServiceName: 'web', ServiceTags: ['v1', 'primary'], Type: 'ttl', Interval: '', Timeout: '', Definition: {TTL: '30s'}, CreateIndex: 0, ModifyIndex: 0,
    }))
  })

  it('updates TTL checks through pass/warn/fail/update', async () => {
    await registerWeb()
    const status = async () => (await h.call('GET', '/v1/agent/checks')).json['service:web-1']
    expect((await h.call('PUT', '/v1/agent/check/pass/service:web-1', {query: 'note=all+good'})).status).toBe(200)
    expect(await status()).toMatchObject({Status: 'passing', Output: 'all good'})
    await h.call('PUT', '/v1/agent/check/warn/service:web-1')
    expect((await status()).Status).toBe('warning')
    await h.call('PUT', '/v1/agent/check/fail/service:web-1', {query: 'note=down'})
    expect(await status()).toMatchObject({Status: 'critical', Output: 'down'})
    await h.call('PUT', '/v1/agent/check/update/service:web-1', {body: {Status: 'passing', Output: 'back'}})
    expect(await status()).toMatchObject({Status: 'passing', Output: 'back'})
    expect(h.fsm.state.nodeCheck(NODE, 'service:web-1').value).toMatchObject({Status: 'passing', Output: 'back'})
    const bad = await h.call('PUT', '/v1/agent/check/update/service:web-1', {body: {Status: 'ok'}})
    expect([bad.status, bad.text]).toEqual([400, "Invalid check status: 'ok'"])
  })

  it('registers and deregisters standalone checks', async () => {
    expect((await h.call('PUT', '/v1/agent/check/register', {body: {Name: 'mem', TTL: '15s', Status: 'passing'}})).status).toBe(200)
    expect((await h.call('GET', '/v1/agent/checks')).json.mem).toMatchObject({CheckID: 'mem', Status: 'passing', ServiceID: ''})
    expect(h.fsm.state.nodeCheck(NODE, 'mem').value?.Status).toBe('passing')
    expect((await h.call('PUT', '/v1/agent/check/deregister/mem')).status).toBe(200)
    expect(h.fsm.state.nodeCheck(NODE, 'mem').value).toBeUndefined()
    const missing = await h.call('PUT', '/v1/agent/check/register', {body: {Name: 'x', TTL: '5s', ServiceID: 'ghost'}})
    expect([missing.status, missing.text]).toEqual([404, 'ServiceID "ghost" does not exist'])
  })

  it('deregisters services and answers 404 for unknown ones', async () => {
    await registerWeb()
    expect((await h.call('PUT', '/v1/agent/service/deregister/web-1')).status).toBe(200)
    expect(h.fsm.state.nodeServices(NODE).value?.Services).toEqual([])
    expect((await h.call('PUT', '/v1/agent/service/deregister/web-1')).status).toBe(404)
    expect((await h.call('GET', '/v1/agent/service/web-1')).status).toBe(404)
  })

  it.each([
    [{Port: 80}, /Missing service name/],
    [{Name: 'x', Port: 70000}, /Port: must be between 0 and 65535/],
    [{Name: 'x', Check: {Interval: '10s', HTTP: 'http://127.0.0.1/', Timeout: '10 seconds'}}, /Check.Timeout: time: invalid duration "10 seconds"/],
    [{Name: 'x', Check: {Name: 'c', DockerContainerID: 'abc', Interval: '5s'}}, /docker checks \(field DockerContainerID\) are not built in to dc, and no loaded plugin provides check type "docker"; add a plugin .* Known check types: alias, http, script, tcp, ttl$/],
    [{Name: 'x', Check: {Name: 'c'}}, /unknown check type: one of Check.HTTP, Check.TCP, Check.TTL, Check.Args, Check.AliasService is required/],
    [{Name: 'x', Check: {Args: ['/bin/true'], Interval: '5s'}}, /Scripts are disabled on this agent from remote calls/],
    ['{"Name": "x",', /Request decode failed/],
  ])('refuses %j with 400 naming the field and keeps running', async (body, message) => {
    await registerWeb()
    const r = await h.call('PUT', '/v1/agent/service/register', {body})
    expect(r.status).toBe(400)
    expect(r.text).toMatch(message)
    expect(Object.keys((await h.call('GET', '/v1/agent/services')).json)).toEqual(['web-1'])
  })

  it('refuses a second name for an existing ID and a TTL update of an unknown check', async () => {
    await registerWeb()
    const dup = await h.call('PUT', '/v1/agent/service/register', {body: {...web, Name: 'other'}})
    expect(dup.status).toBe(400)
    expect(dup.text).toMatch(/ID "web-1" is already registered with name "web"/)
    expect((await h.call('GET', '/v1/agent/service/web-1')).json.Service).toBe('web')
    const ttl = await h.call('PUT', '/v1/agent/check/pass/nope')
    expect([ttl.status, ttl.text]).toEqual([404, 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.'])
  })

  it('blocks on ?hash until the service changes', async () => {
    await registerWeb()
    const first = await h.call('GET', '/v1/agent/service/web-1')
    expect(first.headers['x-consul-contenthash']).toBe(first.json.ContentHash)
    const parked = h.call('GET', '/v1/agent/service/web-1', {query: `hash=${first.json.ContentHash}&wait=5s`})
    await h.call('PUT', '/v1/agent/service/register', {body: {...web, Tags: ['v2']}})
    const woke = await parked
    expect(woke.json.Tags).toEqual(['v2'])
    expect(woke.json.ContentHash).not.toBe(first.json.ContentHash)
  })
})

describe('maintenance and local health', () => {
  it('aggregates local health with 200/429/503/404 and text format', async () => {
    await registerWeb()
    const byId = () => h.call('GET', '/v1/agent/health/service/id/web-1')
    let r = await byId()
    expect(r.status).toBe(503)
    expect(r.json).toEqual({AggregatedStatus: 'critical', Service: agentServiceShape, Checks: [healthCheckShape({CheckID: 'service:web-1', Status: 'critical'})]})
    await h.call('PUT', '/v1/agent/check/warn/service:web-1')
    expect((await byId()).status).toBe(429)
    await h.call('PUT', '/v1/agent/check/pass/service:web-1')
    r = await byId()
    expect([r.status, r.json.AggregatedStatus]).toEqual([200, 'passing'])
    const text = await h.call('GET', '/v1/agent/health/service/id/web-1', {query: 'format=text'})
    expect([text.status, text.text]).toEqual([200, 'passing'])
    const missing = await h.call('GET', '/v1/agent/health/service/id/nope', {query: 'format=text'})
    expect([missing.status, missing.text]).toEqual([404, 'ServiceId nope not found'])
    const byName = await h.call('GET', '/v1/agent/health/service/name/web')
    expect(byName.status).toBe(200)
    expect(byName.json).toHaveLength(1)
    expect((await h.call('GET', '/v1/agent/health/service/name/nope', {query: 'format=text'})).text).toBe('ServiceName nope Not Found')
  })

  it('puts a service and the node into maintenance', async () => {
    await registerWeb()
    await h.call('PUT', '/v1/agent/check/pass/service:web-1')
    expect((await h.call('PUT', '/v1/agent/service/maintenance/web-1')).text).toBe('Missing value for enable')
    expect((await h.call('PUT', '/v1/agent/service/maintenance/web-1', {query: 'enable=maybe'})).text).toBe('Invalid value for enable: "maybe"')
    expect((await h.call('PUT', '/v1/agent/service/maintenance/ghost', {query: 'enable=true'})).status).toBe(404)
    await h.call('PUT', '/v1/agent/service/maintenance/web-1', {query: 'enable=true&reason=deploy'})
    const r = await h.call('GET', '/v1/agent/health/service/id/web-1')
    expect([r.status, r.json.AggregatedStatus]).toEqual([503, 'maintenance'])
    const hs = await h.call('GET', '/v1/health/service/web', {query: 'passing'})
    expect(hs.json).toEqual([])
    await h.call('PUT', '/v1/agent/service/maintenance/web-1', {query: 'enable=false'})
    await h.call('PUT', '/v1/agent/maintenance', {query: 'enable=true'})
    expect(h.fsm.state.nodeCheck(NODE, '_node_maintenance').value).toMatchObject({Status: 'critical', Name: 'Node Maintenance Mode'})
    await h.call('PUT', '/v1/agent/maintenance', {query: 'enable=false'})
    expect((await h.call('GET', '/v1/health/service/web', {query: 'passing'})).json).toHaveLength(1)
  })
})

describe('catalog endpoints', () => {
  const external = {
    Node: 'ext-1', Address: '192.0.2.10', NodeMeta: {rack: 'r1'},
    Service: {ID: 'redis-1', Service: 'redis', Tags: ['primary', 'v6'], Port: 6379, Meta: {role: 'leader'}},
    Check: {CheckID: 'redis-alive', Name: 'Redis alive', Status: 'passing', ServiceID: 'redis-1'},
  }

  it('registers external nodes and renders nodes, services and service rows', async () => {
    await registerWeb()
    const reg = await h.call('PUT', '/v1/catalog/register', {body: external})
    expect([reg.status, reg.json]).toEqual([200, true])
    const nodes = await h.call('GET', '/v1/catalog/nodes')
    expect(Number(nodes.headers['x-consul-index'])).toBeGreaterThan(0)
    expect(nodes.json.map((n: {Node: string}) => n.Node)).toEqual(['ext-1', NODE])
    expect(nodes.json[1]).toEqual(nodeShape)
    expect((await h.call('GET', '/v1/catalog/nodes', {query: 'node-meta=rack:r1'})).json.map((n: {Node: string}) => n.Node)).toEqual(['ext-1'])
    expect((await h.call('GET', '/v1/catalog/services')).json).toEqual({redis: ['primary', 'v6'], web: ['primary', 'v1']})
    expect((await h.call('GET', '/v1/catalog/services', {query: 'filter=' + encodeURIComponent('ServicePort == 6379')})).json).toEqual({redis: ['primary', 'v6']})
    const rows = await h.call('GET', '/v1/catalog/service/redis', {query: 'tag=primary&tag=v6&near=_agent'})
    expect(rows.json).toEqual([{
      ID: '', Node: 'ext-1', Address: '192.0.2.10', Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {rack: 'r1'},
      ServiceKind: '', ServiceID: 'redis-1', ServiceName: 'redis', ServiceTags: ['primary', 'v6'], ServiceAddress: '',
      ServiceTaggedAddresses: {}, ServiceWeights: {Passing: 1, Warning: 1}, ServiceMeta: {role: 'leader'}, ServicePort: 6379,
      ServiceSocketPath: '', ServiceEnableTagOverride: false, ServiceProxy: {MeshGateway: {}, Expose: {}}, ServiceConnect: {},
      CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number),
    }])
    expect((await h.call('GET', '/v1/catalog/service/redis', {query: 'tag=nope'})).json).toEqual([])
    expect((await h.call('GET', '/v1/catalog/datacenters')).json).toEqual(['dc1'])
  })

  it('renders a node with its services as a map and as a list', async () => {
    await registerWeb()
    const node = await h.call('GET', `/v1/catalog/node/${NODE}`)
    expect(node.json).toEqual({Node: nodeShape, Services: {'web-1': nodeServiceShape}})
    const list = await h.call('GET', `/v1/catalog/node-services/${NODE}`)
    expect(list.json).toEqual({Node: nodeShape, Services: [nodeServiceShape]})
    expect((await h.call('GET', '/v1/catalog/node/nope')).json).toBeNull()
    expect((await h.call('GET', '/v1/catalog/node/')).status).toBe(400)
  })

  it('deregisters, validates bodies and refuses other datacenters', async () => {
    await h.call('PUT', '/v1/catalog/register', {body: external})
    expect((await h.call('PUT', '/v1/catalog/deregister', {body: {Node: 'ext-1', ServiceID: 'redis-1'}})).json).toBe(true)
    expect((await h.call('GET', '/v1/catalog/service/redis')).json).toEqual([])
    const bad = await h.call('PUT', '/v1/catalog/register', {body: {Address: '1.2.3.4'}})
    expect([bad.status, bad.text]).toEqual([400, 'Must provide node'])
    expect((await h.call('GET', '/v1/catalog/nodes', {query: 'dc=dc9'})).text).toBe('No path to datacenter')
  })
})

describe('health endpoints', () => {
  it('renders health entries and filters on ?passing, ?tag and ?filter', async () => {
    await registerWeb()
    await h.call('PUT', '/v1/agent/service/register', {body: {ID: 'web-2', Name: 'web', Tags: ['v2'], Port: 8081, Check: {TTL: '30s'}}})
    await h.call('PUT', '/v1/agent/check/pass/service:web-1')
    const all = await h.call('GET', '/v1/health/service/web')
    expect(all.json).toHaveLength(2)
    expect(all.json[0]).toEqual({
      Node: nodeShape,
      Service: nodeServiceShape,
      Checks: [
        healthCheckShape({CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable', ServiceID: '', ServiceName: '', ServiceTags: []}),
        healthCheckShape({CheckID: 'service:web-1', Status: 'passing', ServiceID: 'web-1', ServiceName: 'web', Type: 'ttl', Definition: {TTL: '30s'}}),
      ],
    })
    const passing = await h.call('GET', '/v1/health/service/web', {query: 'passing'})
    expect(passing.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-1'])
    expect((await h.call('GET', '/v1/health/service/web', {query: 'passing=false'})).json).toHaveLength(2)
    expect((await h.call('GET', '/v1/health/service/web', {query: 'tag=v2'})).json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-2'])
    const filtered = await h.call('GET', '/v1/health/service/web', {query: 'filter=' + encodeURIComponent('Service.Tags contains "v1" and Service.Meta.version == "1.4"')})
    expect(filtered.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-1'])
    const anyCritical = await h.call('GET', '/v1/health/service/web', {query: 'filter=' + encodeURIComponent('Checks.Status == critical')})
    expect(anyCritical.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-2'])
    const bad = await h.call('GET', '/v1/health/service/web', {query: 'filter=' + encodeURIComponent('Service.Port ==')})
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/^Failed to create boolean expression evaluator: 1:16 \(15\)/)
  })

  it('lists checks by node, by service and by state', async () => {
    await registerWeb()
    const byNode = await h.call('GET', `/v1/health/node/${NODE}`)
    expect(byNode.json.map((c: {CheckID: string}) => c.CheckID)).toEqual(['serfHealth', 'service:web-1'])
    expect(byNode.json[0]).toEqual(healthCheckShape({CheckID: 'serfHealth', Status: 'passing'}))
    expect((await h.call('GET', '/v1/health/checks/web')).json.map((c: {CheckID: string}) => c.CheckID)).toEqual(['service:web-1'])
    expect((await h.call('GET', '/v1/health/state/critical')).json.map((c: {CheckID: string}) => c.CheckID)).toEqual(['service:web-1'])
    expect((await h.call('GET', '/v1/health/state/passing')).json.map((c: {CheckID: string}) => c.CheckID)).toEqual(['serfHealth'])
    expect((await h.call('GET', '/v1/health/state/any')).json).toHaveLength(2)
    expect((await h.call('GET', '/v1/health/state/bogus')).text).toBe('Invalid check state')
    expect((await h.call('GET', '/v1/health/node/nope')).json).toEqual([])
  })

  it('wakes every parked blocking query on one status change', async () => {
    await registerWeb()
    const first = await h.call('GET', '/v1/health/service/web')
    const index = first.headers['x-consul-index']
    const parked = Array.from({length: 50}, () => h.call('GET', '/v1/health/service/web', {query: `index=${index}&wait=10s&passing`}))
    // Still parked: nothing changed yet.
    const race = await Promise.race([parked[0].then(() => 'answered'), new Promise((r) => setImmediate(() => r('parked')))])
    expect(race).toBe('parked')
    await h.call('PUT', '/v1/agent/check/pass/service:web-1')
    const answers = await Promise.all(parked)
    for (const a of answers) {
      expect(Number(a.headers['x-consul-index'])).toBeGreaterThan(Number(index))
      expect(a.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-1'])
    }
  })
})
