import {describe, expect, it} from 'vitest'
import {EndpointError, type RpcDelegate} from '../../../src/agent/server/endpoints/index.js'
import {forwardingDelegate} from '../../../src/agent/server/forward.js'
import {RpcError, type RpcPool} from '../../../src/agent/rpc/client.js'
import {memoryLogger, VirtualTime} from '../raft-node/helpers.js'

interface State {leader: boolean; leaderAddr?: string; lastContact: number; forwardsProposals?: boolean}

function setup(state: State, remote: (addr: string, method: string) => unknown = () => 'remote') {
  const time = new VirtualTime()
  const calls: string[] = []
  const local = (async (method: string) => {
    calls.push(`local ${method}`)
    const proposedHere = method === 'KVS.Apply' && state.forwardsProposals
    if (!state.leader && !proposedHere && !method.startsWith('Status.') && method !== 'KVS.Get') throw new EndpointError('no-leader', 'No cluster leader')
    return 'local'
  }) as unknown as RpcDelegate
  const pool = {
    call: async (addr: string, method: string) => {
      calls.push(`${addr} ${method}`)
      return remote(addr, method)
    },
  } as unknown as RpcPool
  const env = time.env(1)
  // A ticking timer keeps virtual time moving while the delegate's promises settle between events.
  env.timers.every(10, () => {})
  const rpc = forwardingDelegate({
    env, log: memoryLogger(), local, pool, datacenter: 'dc1', serversOf: (dc: string) => (dc === 'dc2' ? ['127.0.0.8:8300', '127.0.0.9:8300'] : []),
    isLeader: () => state.leader, leaderAddr: () => state.leaderAddr, lastContactMs: () => state.lastContact, forwardsProposals: () => state.forwardsProposals === true,
    holdTimeoutMs: 7000, defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000,
  })
  return {time, calls, rpc}
}

describe('a server\'s forwarding delegate', () => {
  it('runs everything locally on the leader', async () => {
    const t = setup({leader: true, lastContact: 0})
    expect(await t.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}})).toBe('local')
    expect(await t.rpc('KVS.Get', {Key: 'k'})).toBe('local')
    expect(t.calls).toEqual(['local KVS.Apply', 'local KVS.Get'])
  })

  it('on a follower sends writes and default/consistent reads to the leader, serves stale reads and Status here', async () => {
    const t = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 40})
    expect(await t.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}})).toBe('remote')
    expect(await t.rpc('KVS.Get', {Key: 'k'})).toBe('remote')
    expect(await t.rpc('KVS.Get', {Key: 'k', RequireConsistent: true})).toBe('remote')
    expect(await t.rpc('KVS.Get', {Key: 'k', AllowStale: true})).toBe('local')
    expect(await t.rpc('Status.Leader', undefined as never)).toBe('local')
    expect(t.calls).toEqual(['127.0.0.1:8300 KVS.Apply', '127.0.0.1:8300 KVS.Get', '127.0.0.1:8300 KVS.Get', 'local KVS.Get', 'local Status.Leader'])
  })

  it('runs KV writes decided by the FSM alone here when the leader takes forwarded proposals; lock, unlock and other writes still go as calls', async () => {
    const t = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 40, forwardsProposals: true})
    for (const Op of ['set', 'cas', 'delete', 'delete-cas', 'delete-tree', undefined]) expect(await t.rpc('KVS.Apply', {Op, DirEnt: {Key: 'k'}} as never)).toBe('local')
    for (const Op of ['lock', 'unlock']) expect(await t.rpc('KVS.Apply', {Op, DirEnt: {Key: 'k', Session: 's'}} as never)).toBe('remote')
    expect(await t.rpc('Txn.Apply', {Ops: []} as never)).toBe('remote')
    expect(t.calls.filter((c) => c.startsWith('local'))).toHaveLength(6)
    // A leader that does not say it takes them (an older dc): the whole call goes.
    const old = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 40, forwardsProposals: false})
    expect(await old.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}})).toBe('remote')
  })

  it('sends a stale read to the leader when this server lags more than max_stale, or never heard from one', async () => {
    const t = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 5000})
    expect(await t.rpc('KVS.Get', {Key: 'k', AllowStale: true, MaxStaleDuration: 1000})).toBe('remote')
    expect(await t.rpc('KVS.Get', {Key: 'k', AllowStale: true, MaxStaleDuration: 10_000})).toBe('local')
    const never = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: -1})
    expect(await never.rpc('KVS.Get', {Key: 'k', AllowStale: true})).toBe('remote')
  })

  it('holds a call while there is no leader and answers once one is elected', async () => {
    const state: State = {leader: false, lastContact: -1}
    const t = setup(state)
    const p = t.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}})
    await t.time.advance(2000)
    state.leaderAddr = '127.0.0.2:8300'
    expect(await t.time.settle(p)).toBe('remote')
    expect(t.time.nowMs).toBeLessThan(3000)
  })

  it('answers "No cluster leader" after rpc_hold_timeout', async () => {
    const t = setup({leader: false, lastContact: -1})
    const p = t.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}})
    const err = await t.time.settle(p.then(() => undefined, (e: unknown) => e))
    expect(err).toBeInstanceOf(EndpointError)
    expect((err as EndpointError).code).toBe('no-leader')
    expect((err as EndpointError).message).toBe('No cluster leader')
    expect(t.time.nowMs).toBeGreaterThanOrEqual(7000)
    expect(t.time.nowMs).toBeLessThan(8000)
  })

  it('retries a write only when it surely never reached the leader', async () => {
    let n = 0
    const t = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 10}, () => {
      n++
      throw new RpcError('closed', 'connection reset', {maybeDelivered: true})
    })
    const err = await t.time.settle(t.rpc('KVS.Apply', {Op: 'set', DirEnt: {Key: 'k'}}).then(() => undefined, (e: unknown) => e))
    expect(n).toBe(1)
    expect((err as EndpointError).message).toContain('connection reset')
    n = 0
    const reads = setup({leader: false, leaderAddr: '127.0.0.1:8300', lastContact: 10}, () => {
      if (n++ === 0) throw new RpcError('closed', 'connection reset', {maybeDelivered: true})
      return 'remote'
    })
    expect(await reads.time.settle(reads.rpc('KVS.Get', {Key: 'k'}))).toBe('remote')
    expect(n).toBe(2)
  })

  it('sends a request naming another datacenter to its nearest server, failing over; unknown ones fail at once', async () => {
    const t = setup({leader: true, lastContact: 0}, (addr) => {
      if (addr === '127.0.0.8:8300') throw new RpcError('connect', 'connection refused', {maybeDelivered: false})
      return `from ${addr}`
    })
    expect(await t.rpc('KVS.Apply', {Datacenter: 'dc2', Op: 'set', DirEnt: {Key: 'k'}})).toBe('from 127.0.0.9:8300')
    expect(await t.rpc('KVS.Get', {Datacenter: 'dc1', Key: 'k'})).toBe('local')
    const err = await t.rpc('KVS.Get', {Datacenter: 'dc9', Key: 'k'}).then(() => undefined, (e: unknown) => e)
    expect([(err as EndpointError).code, (err as EndpointError).message]).toEqual(['no-path', 'No path to datacenter'])
    expect(t.time.nowMs).toBe(0)
  })
})
