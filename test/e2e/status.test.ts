/**
 * /v1/status/leader and /v1/status/peers answer only what the server knows: "" and [] on a
 * server with no leader and an empty Raft configuration (waiting for bootstrap_expect peers),
 * the RPC address it is bound to once it leads a configuration holding only itself, and no
 * address at all when it has no RPC listener (-server-port=-1).
 */
import {describe, expect, it} from 'vitest'
import {startAgent, waitFor} from '../helpers/agent.js'

const getJson = async (url: string) => {
  const r = await fetch(url)
  expect(r.status).toBe(200)
  return r.json()
}

describe('status endpoints', () => {
  it('a server waiting for its bootstrap_expect peers: no leader, no peers, empty configuration', async () => {
    const a = await startAgent({bootstrap: false, args: ['-bootstrap-expect=3']})
    try {
      // As Consul: the configuration comes from the leader; ?stale is served only by a server
      // that has heard from a leader (canServeReadRequest), so here both wait out
      // rpc_hold_timeout and answer that there is no leader.
      for (const q of ['', '?stale']) {
        const noLeader = await fetch(`${a.url}/v1/operator/raft/configuration${q}`)
        expect([noLeader.status, await noLeader.text()]).toEqual([500, 'No cluster leader'])
      }
      expect(await getJson(`${a.url}/v1/status/leader`)).toBe('')
      expect(await getJson(`${a.url}/v1/status/peers`)).toEqual([])
    } finally {
      await a.stop()
      a.cleanup()
    }
  })

  it('a bootstrapped single server: itself as leader and only peer, as in its Raft configuration', async () => {
    // A real RPC listener on a free port: the answers name the port it is bound to.
    const a = await startAgent({serverPort: 0})
    try {
      const leader = await waitFor(async () => (await getJson(`${a.url}/v1/status/leader`)) as string)
      const conf = await getJson(`${a.url}/v1/operator/raft/configuration`) as {Servers: Array<{Address: string; Leader: boolean; Voter: boolean}>}
      expect(conf.Servers).toHaveLength(1)
      expect(conf.Servers[0]).toMatchObject({Leader: true, Voter: true})
      expect(leader).toBe(a.rpcAddr)
      expect(leader).toBe(conf.Servers[0].Address)
      expect(await getJson(`${a.url}/v1/status/peers`)).toEqual([leader])
      // Its "consul" service carries the same bound port (the leader registers it).
      const consul = await waitFor(async () => ((await getJson(`${a.url}/v1/catalog/service/consul`)) as Array<{ServicePort: number}>)[0])
      expect(`127.0.0.1:${consul.ServicePort}`).toBe(a.rpcAddr)
    } finally {
      await a.stop()
      a.cleanup()
    }
  })

  it('a bootstrapped server with no RPC listener (-server-port=-1) leads but names no address', async () => {
    const a = await startAgent({serverPort: -1, bind: '127.0.0.201'})
    try {
      expect(a.rpcAddr).toBe('')
      await waitFor(async () => ((await getJson(`${a.url}/v1/agent/self`)) as {Stats: {raft: {state: string}}}).Stats.raft.state === 'Leader')
      // Nothing listens, so no address is made up: "" as leader, none among the peers.
      expect(await getJson(`${a.url}/v1/status/leader`)).toBe('')
      expect(await getJson(`${a.url}/v1/status/peers`)).toEqual([])
      const conf = await getJson(`${a.url}/v1/operator/raft/configuration`) as {Servers: Array<{Address: string; Leader: boolean}>}
      expect(conf.Servers).toEqual([expect.objectContaining({Address: '', Leader: true})])
      // Nor a port: no `port` tag in gossip, and the consul service says 0.
      const members = await getJson(`${a.url}/v1/agent/members`) as Array<{Tags: Record<string, string>}>
      expect(members[0]!.Tags.role).toBe('consul')
      expect(members[0]!.Tags.port).toBeUndefined()
      await waitFor(async () => ((await getJson(`${a.url}/v1/catalog/service/consul`)) as unknown[]).length === 1)
      const svc = await getJson(`${a.url}/v1/catalog/service/consul`) as Array<{ServicePort: number}>
      expect(svc[0]!.ServicePort).toBe(0)
    } finally {
      await a.stop()
      a.cleanup()
    }
  })
})
