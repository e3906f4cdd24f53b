import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {NODE, appHarness, type AppHarness} from '../registry/app-harness.js'

let h: AppHarness
beforeEach(async () => {
  h = await appHarness()
  // node1 (the agent's node) exists; add three more, each running "web".
  for (const [n, addr] of [['n2', '10.0.0.2'], ['n3', '10.0.0.3'], ['n4', '10.0.0.4']] as const) {
    h.raw({type: 'register', req: {Node: n, Address: addr, Datacenter: 'dc1', Service: {ID: 'web', Service: 'web', Port: 80}}})
  }
  h.raw({type: 'register', req: {Node: NODE, Address: '127.0.0.1', Datacenter: 'dc1', SkipNodeUpdate: true, Service: {ID: 'web', Service: 'web', Port: 80}}})
})
afterEach(async () => {
  await h.close()
})

/** A coordinate x seconds along the first axis (heights at Serf's minimum). */
const at = (x: number) => ({Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 10e-6})

async function put(node: string, x: number, segment = '') {
  const r = await h.call('PUT', '/v1/coordinate/update', {body: {Node: node, Segment: segment, Coord: at(x)}})
  expect(r.status).toBe(200)
  expect(r.text).toBe('')
}

describe('/v1/coordinate', () => {
  it('queues updates and lists them after the batch write, in Consul\'s shape', async () => {
    await put('n2', 0.002)
    await put(NODE, 0)
    expect(h.coordinates.size).toBe(2)
    expect((await h.call('GET', '/v1/coordinate/nodes')).json).toEqual([]) // not yet written
    await h.coordinates.flush()
    const r = await h.call('GET', '/v1/coordinate/nodes')
    expect(r.status).toBe(200)
    expect(r.json).toEqual([
      {Node: 'n2', Segment: '', Coord: at(0.002)},
      {Node: NODE, Segment: '', Coord: at(0)},
    ])
    expect(Number(r.headers['x-consul-index'])).toBe(h.fsm.state.maxIndex('coordinates'))
    const one = await h.call('GET', '/v1/coordinate/node/n2')
    expect(one.json).toEqual([{Node: 'n2', Segment: '', Coord: at(0.002)}])
  })

  it('answers 404 for a node without coordinates, and filters by ?segment', async () => {
    await put('n2', 0.002)
    await h.coordinates.flush()
    const missing = await h.call('GET', '/v1/coordinate/node/n3')
    expect(missing.status).toBe(404)
    expect(missing.text).toBe('')
    expect((await h.call('GET', '/v1/coordinate/node/n2', {query: 'segment=alpha'})).status).toBe(404)
    expect((await h.call('GET', '/v1/coordinate/nodes', {query: 'segment=alpha'})).json).toEqual([])
    expect((await h.call('GET', '/v1/coordinate/nodes', {query: 'segment='})).json).toHaveLength(1)
  })

  it('keeps the latest report per node and segment, and drops nodes the catalog does not know', async () => {
    await put('n2', 0.002)
    await put('n2', 0.003)
    await put('ghost', 0.001)
    await h.coordinates.flush()
    expect((await h.call('GET', '/v1/coordinate/nodes')).json).toEqual([{Node: 'n2', Segment: '', Coord: at(0.003)}])
  })

  it('refuses malformed bodies (400) and unusable coordinates (500, Consul\'s words)', async () => {
    const bad = async (body: unknown) => h.call('PUT', '/v1/coordinate/update', {body})
    expect((await bad('{nope')).status).toBe(400)
    const noCoord = await bad({Node: 'n2'})
    expect(noCoord.status).toBe(400)
    expect(noCoord.text).toMatch(/^Request decode failed: /)
    expect((await bad({Node: 'n2', Coord: {Vec: ['x']}})).status).toBe(400)
    const short = await bad({Node: 'n2', Coord: {Vec: [0, 0], Error: 1, Adjustment: 0, Height: 0}})
    expect([short.status, short.text]).toEqual([500, 'incompatible coordinate'])
    // JSON has no NaN; an overflowing literal is the way one arrives (as Infinity).
    const inf = await bad(`{"Node":"n2","Coord":{"Vec":[1e999,0,0,0,0,0,0,0],"Error":1,"Adjustment":0,"Height":0}}`)
    expect([inf.status, inf.text]).toEqual([500, 'invalid coordinate'])
    expect(h.coordinates.size).toBe(0)
    // Field names match case-insensitively, as Go's decoder does.
    expect((await bad({node: 'n2', coord: at(0.001)})).status).toBe(200)
  })

  it('only serves this datacenter', async () => {
    expect((await h.call('GET', '/v1/coordinate/nodes', {query: 'dc=dc2'})).status).toBe(500)
    expect((await h.call('PUT', '/v1/coordinate/update', {query: 'dc=dc2', body: {Node: 'n2', Coord: at(0)}})).status).toBe(500)
  })

  it('blocks on ?index until a batch is written', async () => {
    await put('n2', 0.002)
    await h.coordinates.flush()
    const first = await h.call('GET', '/v1/coordinate/nodes')
    const index = first.headers['x-consul-index']
    const pending = h.call('GET', '/v1/coordinate/nodes', {query: `index=${index}&wait=5s`})
    let done = false
    void pending.then(() => (done = true))
    await new Promise((r) => setTimeout(r, 30))
    expect(done).toBe(false)
    await put('n3', 0.004)
    await h.coordinates.flush()
    const r = await pending
    expect(Number(r.headers['x-consul-index'])).toBeGreaterThan(Number(index))
    expect(r.json.map((c: {Node: string}) => c.Node)).toEqual(['n2', 'n3'])
  })

  it('lists this datacenter with the WAN coordinates that exist (none without a WAN pool)', async () => {
    expect((await h.call('GET', '/v1/coordinate/datacenters')).json).toEqual([{Datacenter: 'dc1', AreaID: 'WAN', Coordinates: []}])
    h.wanCoordinates = [{Node: NODE, Segment: '', Coord: at(0)}]
    expect((await h.call('GET', '/v1/coordinate/datacenters')).json).toEqual([
      {Datacenter: 'dc1', AreaID: 'WAN', Coordinates: [{Node: NODE, Segment: '', Coord: at(0)}]},
    ])
  })
})

describe('?near', () => {
  // On a line: node1 at 0, n4 at 1 ms, n2 at 5 ms; n3 reports nothing.
  beforeEach(async () => {
    await put(NODE, 0)
    await put('n4', 0.001)
    await put('n2', 0.005)
    await h.coordinates.flush()
  })

  const names = (rows: {Node: string | {Node: string}}[]) => rows.map((r) => (typeof r.Node === 'string' ? r.Node : r.Node.Node))

  it('sorts catalog nodes by estimated RTT, nodes without coordinates last', async () => {
    expect(names((await h.call('GET', '/v1/catalog/nodes')).json)).toEqual(['n2', 'n3', 'n4', NODE])
    expect(names((await h.call('GET', '/v1/catalog/nodes', {query: `near=${NODE}`})).json)).toEqual([NODE, 'n4', 'n2', 'n3'])
    expect(names((await h.call('GET', '/v1/catalog/nodes', {query: 'near=n2'})).json)).toEqual(['n2', 'n4', NODE, 'n3'])
  })

  it('_agent measures from the agent\'s own node', async () => {
    expect(names((await h.call('GET', '/v1/catalog/nodes', {query: 'near=_agent'})).json)).toEqual([NODE, 'n4', 'n2', 'n3'])
  })

  it('leaves the order alone when the source node has no coordinate', async () => {
    expect(names((await h.call('GET', '/v1/catalog/nodes', {query: 'near=n3'})).json)).toEqual(['n2', 'n3', 'n4', NODE])
    expect(names((await h.call('GET', '/v1/catalog/nodes', {query: 'near=nobody'})).json)).toEqual(['n2', 'n3', 'n4', NODE])
  })

  it('sorts /v1/catalog/service and /v1/health/service instances', async () => {
    expect(names((await h.call('GET', '/v1/catalog/service/web', {query: 'near=_agent'})).json)).toEqual([NODE, 'n4', 'n2', 'n3'])
    expect(names((await h.call('GET', '/v1/health/service/web', {query: 'near=n4'})).json)).toEqual(['n4', NODE, 'n2', 'n3'])
    // The shared discovery cache still answers plain requests in catalog order.
    expect(names((await h.call('GET', '/v1/health/service/web')).json)).toEqual(['n2', 'n3', 'n4', NODE])
  })

  it('follows coordinate changes in /v1/health/service (no stale cached order)', async () => {
    expect(names((await h.call('GET', '/v1/health/service/web', {query: 'near=_agent'})).json)).toEqual([NODE, 'n4', 'n2', 'n3'])
    await put('n2', 0.0001)
    await h.coordinates.flush()
    expect(names((await h.call('GET', '/v1/health/service/web', {query: 'near=_agent'})).json)).toEqual([NODE, 'n2', 'n4', 'n3'])
  })
})
