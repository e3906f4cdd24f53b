import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ConsulClient} from '../../../src/api/client.js'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt, runCli} from '../cli/run-cli.js'

// A real agent process (-dev: coordinate batches are written every 100 ms) on ephemeral
// ports; coordinates arrive through PUT /v1/coordinate/update as an agent would send them.

let agent: RunningAgent
let api: ConsulClient
const dc = (args: string[]) => runCli([...args, `-http-addr=${agent.httpAddr}`])
const at = (x: number) => ({Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 10e-6})

beforeAll(async () => {
  assertBuilt()
  agent = await startAgent({dev: true})
  api = new ConsulClient({address: agent.httpAddr, env: {}})
  await waitFor(async () => (await api.status.leader()).body !== '', 20_000)
  for (const [node, addr] of [['far', '10.1.0.2'], ['near', '10.1.0.3'], ['blind', '10.1.0.4']]) {
    const r = await fetch(`${agent.url}/v1/catalog/register`, {method: 'PUT', body: JSON.stringify({Node: node, Address: addr})})
    expect(r.status).toBe(200)
  }
  // The agent's own node (test-node) at the origin, "near" 1 ms away, "far" 4 ms away; "blind" reports nothing.
  for (const [node, x] of [['test-node', 0], ['near', 0.001], ['far', 0.004]] as const) {
    await api.coordinate.update({Node: node, Segment: '', Coord: at(x)})
  }
  await waitFor(async () => (await api.coordinate.nodes()).body.length === 3, 10_000)
}, 60_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

describe('network coordinates against a live agent', () => {
  it('lists what was reported, and one node (404 without a coordinate)', async () => {
    const r = await fetch(`${agent.url}/v1/coordinate/nodes`)
    expect(r.status).toBe(200)
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(0)
    expect(await r.json()).toEqual([
      {Node: 'far', Segment: '', Coord: at(0.004)},
      {Node: 'near', Segment: '', Coord: at(0.001)},
      {Node: 'test-node', Segment: '', Coord: at(0)},
    ])
    expect((await fetch(`${agent.url}/v1/coordinate/node/near`)).status).toBe(200)
    expect((await fetch(`${agent.url}/v1/coordinate/node/blind`)).status).toBe(404)
    // The server's own WAN pool coordinate (gossip probes move it; alone it stays where it started).
    const dcs = (await (await fetch(`${agent.url}/v1/coordinate/datacenters`)).json()) as {Datacenter: string; AreaID: string; Coordinates: {Node: string; Coord: {Vec: number[]}}[]}[]
    expect(dcs).toHaveLength(1)
    expect(dcs[0]).toMatchObject({Datacenter: 'dc1', AreaID: 'WAN'})
    expect(dcs[0].Coordinates.map((c) => c.Node)).toEqual(['test-node'])
    expect(dcs[0].Coordinates[0].Coord.Vec).toHaveLength(8)
  })

  it('orders catalog nodes by ?near, nodes without coordinates last', async () => {
    const names = async (q: string) => ((await (await fetch(`${agent.url}/v1/catalog/nodes${q}`)).json()) as {Node: string}[]).map((n) => n.Node)
    expect(await names('')).toEqual(['blind', 'far', 'near', 'test-node'])
    expect(await names('?near=_agent')).toEqual(['test-node', 'near', 'far', 'blind'])
    expect(await names('?near=far')).toEqual(['far', 'near', 'test-node', 'blind'])
  })

  // Each estimate includes both nodes' heights (10 µs each).
  it('dc rtt estimates from the coordinates, node2 defaulting to the agent', async () => {
    const two = await dc(['rtt', 'near', 'far'])
    expect([two.code, two.stderr, two.stdout]).toEqual([0, '', 'Estimated near <-> far rtt: 3.020 ms (using LAN coordinates)\n'])
    const one = await dc(['rtt', 'far'])
    expect(one.stdout).toBe('Estimated far <-> test-node rtt: 4.020 ms (using LAN coordinates)\n')
    const json = await dc(['rtt', '-format=json', 'near'])
    expect(JSON.parse(json.stdout)).toEqual({Node1: 'near', Node2: 'test-node', Coordinates: 'LAN', RTTMs: 1.02})
  })

  it('dc rtt fails clearly for a node without a coordinate', async () => {
    const r = await dc(['rtt', 'blind', 'near'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('Error! Could not find a coordinate for node "blind"\n')
    const none = await dc(['rtt'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/^Error! One or two node names must be specified/)
  })
})
