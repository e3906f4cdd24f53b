/**
 * The RPC seam's contract: the same endpoint cases run once through the local delegate
 * (what a server's HTTP layer calls) and once over a real RPC socket through a client
 * agent's router (what a client agent calls). Each side has its own store fed the same
 * writes, so every answer — values, bytes, conditional results, indexes, error codes —
 * must be the same.
 */
import {describe, expect, it} from 'vitest'
import {createLogger, createNodeEnv} from '../../src/agent/env/node.js'
import {clientDelegate} from '../../src/agent/client/delegate.js'
import {MemberStatus} from '../../src/agent/gossip/serf/serf.js'
import {RpcPool} from '../../src/agent/rpc/client.js'
import {startRpcServer} from '../../src/agent/rpc/server.js'
import {EndpointError, type Method, type RpcDelegate} from '../../src/agent/server/endpoints/index.js'
import {Fsm, encodeCommand, type Command} from '../../src/store/fsm/index.js'
import {testRpc} from '../helpers/endpoints.js'

const log = createLogger({level: 'error', json: false, write: () => {}})

function localSide(): RpcDelegate {
  const env = createNodeEnv(log)
  const fsm = new Fsm()
  let idx = 0
  return testRpc(env, () => fsm.state, async (cmd: Command) => fsm.apply(++idx, 1, encodeCommand(cmd)))
}

async function remoteSide(): Promise<{rpc: RpcDelegate; close(): Promise<void>}> {
  const env = createNodeEnv(log)
  const served = localSide()
  const server = await startRpcServer({bindIp: '127.0.0.1', port: 0, log, handler: (m, b, info) => served(m as Method, b as never, info.signal)})
  const pool = new RpcPool({log, bindIp: '127.0.0.1'})
  const rpc = clientDelegate({
    env, log, pool, datacenter: 'dc1', holdTimeoutMs: 2_000, defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000,
    // One server in the "LAN pool", as gossip would report it.
    members: () => [{name: 's1', addr: {ip: '127.0.0.1', port: 8301}, tags: {role: 'consul', dc: 'dc1', port: String(server.port)}, status: MemberStatus.alive, vsn: [], statusLTime: 0, leaveMs: 0}],
  })
  return {rpc, close: async () => {
    await pool.close()
    await server.close()
  }}
}

/** What each case observes; an error is recorded by its code and message. */
async function observe(rpc: RpcDelegate): Promise<unknown[]> {
  const out: unknown[] = []
  const call = async (fn: () => Promise<unknown>) => {
    try {
      out.push(JSON.parse(JSON.stringify(await fn(), (_k, v) => (v instanceof Uint8Array ? {bytes: [...v]} : v))))
    } catch (e) {
      out.push(e instanceof EndpointError ? {code: e.code, message: e.message} : {unexpected: String(e)})
    }
  }
  const bin = Uint8Array.from([0, 1, 2, 250, 255])
  await call(() => rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'a/b', Flags: 42, Value: bin}}))
  await call(() => rpc('KVS.Get', {Key: 'a/b'}))
  await call(() => rpc('KVS.Apply', {Op: 'cas', DirEnt: {Key: 'a/b', Value: bin, ModifyIndex: 999}}))
  await call(() => rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'a/c', Value: new Uint8Array(0)}}))
  await call(() => rpc('KVS.List', {Key: 'a/'}))
  await call(() => rpc('KVS.ListKeys', {Prefix: 'a/', Seperator: '/'}))
  await call(() => rpc('KVS.Apply', {Op: 'delete-tree', DirEnt: {Key: 'a/'}}))
  await call(() => rpc('KVS.Get', {Key: 'a/b'}))
  await call(() => rpc('Catalog.Register', {Node: 'n1', Address: '10.0.0.1', Service: {Service: 'web', Port: 80, Tags: ['v1']}, Check: {CheckID: 'c1', Name: 'c', Status: 'passing', ServiceID: 'web'}}))
  await call(() => rpc('Catalog.ServiceNodes', {ServiceName: 'web'}))
  await call(() => rpc('Health.ServiceNodes', {ServiceName: 'web'}))
  await call(() => rpc('Catalog.NodeServices', {Node: 'nope'}))
  await call(() => rpc('Txn.Apply', {Ops: [{KV: {Verb: 'set', Key: 't', Value: bin, Flags: 0, Index: 0, Session: ''}}, {KV: {Verb: 'cas', Key: 't', Value: bin, Flags: 0, Index: 1, Session: ''}}]}))
  await call(() => rpc('Txn.Read', {Ops: [{KV: {Verb: 'get', Key: 'missing', Value: new Uint8Array(0), Flags: 0, Index: 0, Session: ''}}]}))
  // Prepared queries: IDs are minted per side, so only ID-free answers are compared.
  const agent = {Node: 'n1', Datacenter: 'dc1', Segment: '', Ip: ''}
  const pq = {ID: '', Name: 'web-q', Session: '', Token: '', Template: {Type: '', Regexp: '', RemoveEmptyTags: false}, DNS: {TTL: '5s'}, CreateIndex: 0, ModifyIndex: 0,
    Service: {Service: 'web', SamenessGroup: '', Failover: {NearestN: 1, Datacenters: ['dc2'], Targets: null}, OnlyPassing: true, IgnoreCheckIDs: null, Near: '', Tags: ['v1', '!canary'], NodeMeta: null, ServiceMeta: null, Connect: false, Peer: ''}}
  await call(async () => typeof (await rpc('PreparedQuery.Apply', {Op: 'create', Query: pq})))
  await call(async () => {
    const r = await rpc('PreparedQuery.Execute', {QueryIDOrName: 'web-q', Agent: agent})
    return {...r.value, Nodes: r.value.Nodes.map((n) => n.Node.Node)}
  })
  await call(async () => (await rpc('PreparedQuery.Explain', {QueryIDOrName: 'web-q', Agent: agent})).value.Query.Service)
  await call(() => rpc('PreparedQuery.Execute', {QueryIDOrName: 'nope', Agent: agent}))
  await call(() => rpc('PreparedQuery.Apply', {Op: 'create', Query: {...pq, Service: {...pq.Service, Service: ''}}}))
  await call(() => rpc('PreparedQuery.Apply', {Op: 'create', Query: {...pq, Name: 't-', Template: {Type: 'name_prefix_match', Regexp: '(', RemoveEmptyTags: false}}}))
  await call(() => rpc('KVS.Get', {Key: 'x', Datacenter: 'dc9'}))
  await call(() => rpc('Session.Renew', {SessionID: 'no-such-session'}))
  await call(() => rpc('No.Such' as Method, {} as never))
  return out
}

describe('endpoint contract: in process and over the RPC socket', () => {
  it('gives the same answers, bytes, indexes and error codes', async () => {
    const remote = await remoteSide()
    try {
      const [here, there] = [await observe(localSide()), await observe(remote.rpc)]
      expect(there).toEqual(here)
      // The cases mean something: a value with its bytes, a failed CAS, the errors' codes.
      expect(here[1]).toMatchObject({value: [{Key: 'a/b', Flags: 42, Value: {bytes: [0, 1, 2, 250, 255]}}]})
      expect(here[2]).toBe(false)
      const pq = here.slice(-9, -3)
      expect(pq[0]).toBe('string')
      expect(pq[1]).toEqual({Service: 'web', Nodes: ['n1'], DNS: {TTL: '5s'}, Datacenter: 'dc1', Failovers: 0})
      expect(pq[2]).toMatchObject({Service: 'web', Tags: ['v1', '!canary'], OnlyPassing: true})
      expect(pq[3]).toEqual({code: 'not-found', message: 'Query not found'})
      expect(pq[4]).toEqual({code: 'internal', message: 'Invalid prepared query: Must provide a Service name to query'})
      expect(pq[5]).toMatchObject({code: 'internal', message: expect.stringMatching(/^raft apply failed: failed compiling template: Bad Regexp: /)})
      expect(here.at(-3)).toEqual({code: 'no-path', message: 'No path to datacenter'})
      expect(here.at(-2)).toMatchObject({code: 'not-found'})
      expect(here.at(-1)).toMatchObject({code: 'unknown-method'})
    } finally {
      await remote.close()
    }
  })
})
