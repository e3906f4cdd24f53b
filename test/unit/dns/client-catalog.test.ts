/**
 * A client agent's DNS view: without use_cache every query asks a server (stale, then the
 * leader past max_stale); with use_cache service lookups come from the agent cache; a read
 * that fails is SERVFAIL, never an invented empty answer.
 */
import dnsPacket from 'dns-packet'
import {afterEach, describe, expect, it} from 'vitest'
import {createRpcCache, type RpcCache} from '../../../src/agent/cache/rpc-cache.js'
import {remoteDnsCatalog} from '../../../src/agent/client/dns-catalog.js'
import {parseDnsConfig, type RawDnsConfig} from '../../../src/agent/dns/config.js'
import {createDnsHandler} from '../../../src/agent/dns/handler.js'
import {createLogger, createNodeEnv} from '../../../src/agent/env/node.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {EndpointError, type RpcDelegate} from '../../../src/agent/server/endpoints/index.js'
import {FakeCatalog} from './fake-catalog.js'
import {queryPacket} from './helpers.js'

const log = createLogger({level: 'error', json: false, write: () => {}})
const env = createNodeEnv(log)
let cache: RpcCache | undefined
afterEach(() => cache?.stop())

const node = {ID: '11111111-2222-3333-4444-555555555555', Node: 'n1', Address: '10.0.0.7', Datacenter: 'dc1', TaggedAddresses: {}, Meta: {}, CreateIndex: 1, ModifyIndex: 1}
const instance = {
  Node: node,
  Service: {Kind: '', ID: 'web-1', Service: 'web', Tags: [], Address: '', TaggedAddresses: {}, Meta: {}, Port: 80, Weights: {Passing: 1, Warning: 1}, EnableTagOverride: false, CreateIndex: 2, ModifyIndex: 2},
  Checks: [],
}

interface Call {method: string; req: Record<string, unknown>}

/** A fake server: records calls; `down` makes every call fail as a client with no server does. */
function fakeRpc(opts: {lastContactMs?: number} = {}) {
  const calls: Call[] = []
  const state = {down: false}
  const rpc = (async (method: string, req: Record<string, unknown>) => {
    calls.push({method, req})
    if (state.down) throw new EndpointError('no-servers', 'No known Consul servers')
    // The cache's background refresh parks here until the test ends.
    if ((req?.MinQueryIndex as number) > 0) return new Promise(() => {})
    const meta = {index: 10, knownLeader: true, lastContactMs: req.AllowStale ? opts.lastContactMs ?? 0 : 0}
    if (method === 'Health.ServiceNodes') return {value: req.ServiceName === 'web' ? [instance] : [], meta}
    if (method === 'Catalog.NodeServices') return {value: req.Node === 'n1' ? {Node: node, Services: []} : null, meta}
    throw new Error(`unexpected ${method}`)
  }) as unknown as RpcDelegate
  return {rpc, calls, state}
}

function setup(raw: RawDnsConfig, rpc: RpcDelegate, useCache = false) {
  const config = parseDnsConfig(raw)
  if (useCache) cache = createRpcCache(env, log, rpc)
  const catalog = remoteDnsCatalog({datacenter: 'dc1', rpc, cache, config, env, log})
  const handler = createDnsHandler({config, catalog, random: seededRandom(1), wallMs: () => 0})
  return async (name: string) => {
    const packet = queryPacket(name, 'A')
    await catalog.prefetch!(packet)
    const r = handler.handle(packet, 'udp')
    if (r.kind !== 'reply') throw new Error(r.kind)
    return dnsPacket.decode(r.bytes)
  }
}

const rcode = (p: dnsPacket.DecodedPacket) => (p as unknown as {rcode?: string}).rcode
const addrs = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).filter((a) => a.type === 'A').map((a) => (a as {data: string}).data)

describe('client DNS catalog', () => {
  it('without use_cache: one stale RPC per query, and the leader when the answer is older than max_stale', async () => {
    const f = fakeRpc({lastContactMs: 5000})
    const ask = setup({dns_config: {max_stale: '10s'}}, f.rpc)
    expect(addrs(await ask('web.service.consul'))).toEqual(['10.0.0.7'])
    expect(addrs(await ask('web.service.consul'))).toEqual(['10.0.0.7'])
    expect(f.calls.filter((c) => c.method === 'Health.ServiceNodes')).toHaveLength(2)
    expect(f.calls.every((c) => c.req.AllowStale === true)).toBe(true)
    expect(addrs(await ask('n1.node.consul'))).toEqual(['10.0.0.7'])
    expect(rcode(await ask('gone.node.consul'))).toBe('NXDOMAIN')
    expect(rcode(await ask('nope.service.consul'))).toBe('NXDOMAIN')

    const behind = fakeRpc({lastContactMs: 20_000})
    const ask2 = setup({dns_config: {max_stale: '10s'}}, behind.rpc)
    expect(addrs(await ask2('web.service.consul'))).toEqual(['10.0.0.7'])
    expect(behind.calls.map((c) => c.req.AllowStale)).toEqual([true, false])
  })

  it('without use_cache and no server: SERVFAIL', async () => {
    const f = fakeRpc()
    const ask = setup({}, f.rpc)
    expect(addrs(await ask('web.service.consul'))).toEqual(['10.0.0.7'])
    f.state.down = true
    expect(rcode(await ask('web.service.consul'))).toBe('SERVFAIL')
  })

  it('with use_cache: the first lookup fills the cache, later ones need no server, even while none answers', async () => {
    const f = fakeRpc()
    const ask = setup({dns_config: {use_cache: true}}, f.rpc, true)
    expect(addrs(await ask('web.service.consul'))).toEqual(['10.0.0.7'])
    const plainReads = () => f.calls.filter((c) => c.method === 'Health.ServiceNodes' && !((c.req.MinQueryIndex as number) > 0)).length
    expect(plainReads()).toBe(1)
    f.state.down = true
    expect(addrs(await ask('web.service.consul'))).toEqual(['10.0.0.7'])
    expect(addrs(await ask('WEB.service.consul'))).toEqual(['10.0.0.7'])
    expect(plainReads()).toBe(1)
    // Node lookups are not cached (as in Consul): they need a server.
    expect(rcode(await ask('n1.node.consul'))).toBe('SERVFAIL')
  })
})

describe('server DNS catalog (its own datacenter from local state)', () => {
  /** A server in dc1 knowing dc2 over the WAN; only dc2's answers come over RPC. */
  function server(local: FakeCatalog) {
    const calls: Call[] = []
    const dc2Node = {...node, Node: 'api-node', Address: '10.0.2.9', Datacenter: 'dc2'}
    const rpc = (async (method: string, req: Record<string, unknown>) => {
      calls.push({method, req})
      const meta = {index: 10, knownLeader: true, lastContactMs: 0}
      if (method === 'Health.ServiceNodes' && req.Datacenter === 'dc2') {
        return {value: req.ServiceName === 'api' ? [{...instance, Node: dc2Node, Service: {...instance.Service, ID: 'api-1', Service: 'api'}}] : [], meta}
      }
      throw new Error(`unexpected ${method} ${JSON.stringify(req)}`)
    }) as unknown as RpcDelegate
    const config = parseDnsConfig({})
    const catalog = remoteDnsCatalog({datacenter: 'dc1', rpc, config, env, log, localView: local, datacenters: () => ['dc1', 'dc2']})
    const handler = createDnsHandler({config, catalog, random: seededRandom(1), wallMs: () => 0})
    const ask = async (name: string) => {
      const packet = queryPacket(name, 'A')
      await catalog.prefetch!(packet)
      const r = handler.handle(packet, 'udp')
      if (r.kind !== 'reply') throw new Error(r.kind)
      return dnsPacket.decode(r.bytes)
    }
    return {ask, calls}
  }

  it('answers its own datacenter without RPC and asks another datacenter over RPC', async () => {
    const local = new FakeCatalog({datacenter: 'dc1', knownDatacenters: ['dc1', 'dc2']})
    local.addNode({name: 'n1', address: '10.0.0.7'})
    local.addService({node: 'n1', name: 'web', port: 80})
    const s = server(local)
    expect(addrs(await s.ask('web.service.consul'))).toEqual(['10.0.0.7'])
    expect(addrs(await s.ask('n1.node.dc1.consul'))).toEqual(['10.0.0.7'])
    expect(s.calls).toEqual([])
    expect(addrs(await s.ask('api.service.dc2.consul'))).toEqual(['10.0.2.9'])
    expect(s.calls.map((c) => [c.method, c.req.Datacenter, c.req.ServiceName])).toEqual([['Health.ServiceNodes', 'dc2', 'api']])
  })

  it('a local service whose address names another datacenter is followed there (fetched first)', async () => {
    const local = new FakeCatalog({datacenter: 'dc1', knownDatacenters: ['dc1', 'dc2']})
    local.addNode({name: 'n1', address: '10.0.0.7'})
    local.addService({node: 'n1', name: 'web', port: 80, address: 'api.service.dc2.consul'})
    const s = server(local)
    const p = await s.ask('web.service.consul')
    expect((p.answers ?? []).find((a) => a.type === 'CNAME')).toMatchObject({name: 'web.service.consul', data: 'api.service.dc2.consul'})
    expect(addrs(p)).toEqual(['10.0.2.9'])
    expect(s.calls.map((c) => [c.method, c.req.Datacenter, c.req.ServiceName])).toEqual([['Health.ServiceNodes', 'dc2', 'api']])
  })

  it('a local answer that needed nothing is looked at again once local state changes', async () => {
    const local = new FakeCatalog({datacenter: 'dc1', knownDatacenters: ['dc1', 'dc2']})
    local.addNode({name: 'n1', address: '10.0.0.7'})
    const s = server(local)
    expect(addrs(await s.ask('n1.node.consul'))).toEqual(['10.0.0.7'])
    expect(addrs(await s.ask('n1.node.consul'))).toEqual(['10.0.0.7'])
    expect(s.calls).toEqual([])
    // Re-registered with an address that names a service in dc2: now dc2 is asked.
    local.addNode({name: 'n1', address: 'api.service.dc2.consul'})
    expect(addrs(await s.ask('n1.node.consul'))).toEqual(['10.0.2.9'])
    expect(s.calls.map((c) => [c.method, c.req.Datacenter, c.req.ServiceName])).toEqual([['Health.ServiceNodes', 'dc2', 'api']])
  })
})
