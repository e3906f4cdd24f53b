import {describe, expect, it} from 'vitest'
import {CLUSTER_ID_TAG, conflictError, conflictLogLine, datacenterConflicts, isForeignClaim, type WanClaim} from '../../../src/agent/server/dc-conflicts.js'
import {DatacenterConflictMonitor} from '../../../src/agent/server/dc-conflict-monitor.js'
import {ClusterIdentity, CLUSTER_ID_KEY} from '../../../src/agent/server/cluster-id.js'
import {WanRouter} from '../../../src/agent/server/wan-router.js'
import {forwardingDelegate} from '../../../src/agent/server/forward.js'
import {EndpointError, type RpcDelegate} from '../../../src/agent/server/endpoints/index.js'
import type {RpcPool} from '../../../src/agent/rpc/client.js'
import {MemberStatus, type SerfMember} from '../../../src/agent/gossip/serf/serf.js'
import {Fsm} from '../../../src/store/fsm/fsm.js'
import {encodeCommand, type Command} from '../../../src/store/fsm/commands.js'
import {memoryLogger, VirtualTime} from '../raft-node/helpers.js'

const A = 'aaaaaaaa-1111-1111-1111-111111111111'
const B = 'bbbbbbbb-2222-2222-2222-222222222222'

/** A WAN member of server `node` in `dc` (RPC on 127.0.0.<n>:8300), of cluster `id` when given. */
function server(node: string, dc: string, n: number, id?: string, status: number = MemberStatus.alive): SerfMember {
  const tags: Record<string, string> = {role: 'consul', dc, id: `node-${node}`, port: '8300'}
  if (id) tags[CLUSTER_ID_TAG] = id
  return {name: `${node}.${dc}`, addr: {ip: `127.0.0.${n}`, port: 8302}, tags, status} as unknown as SerfMember
}

describe('datacenterConflicts', () => {
  it('finds a datacenter name that alive servers of two clusters claim, grouped and sorted', () => {
    const ms = [server('s2', 'dc1', 2, B), server('s1', 'dc1', 1, A), server('s3', 'dc1', 3, A), server('t1', 'dc2', 4, 'cccccccc')]
    expect(datacenterConflicts(ms)).toEqual([{
      datacenter: 'dc1',
      clusters: [{clusterId: A, servers: ['s1.dc1', 's3.dc1']}, {clusterId: B, servers: ['s2.dc1']}],
    }])
  })

  it('sees none when every server of a name is of one cluster, untagged, failed or not a server', () => {
    const client = {...server('c1', 'dc1', 9, B), tags: {role: 'node', dc: 'dc1', [CLUSTER_ID_TAG]: B}} as unknown as WanClaim
    const ms: WanClaim[] = [
      server('s1', 'dc1', 1, A), server('s2', 'dc1', 2, A),
      server('s3', 'dc1', 3), // not yet caught up with its cluster's ID, or a Consul server
      server('old', 'dc1', 4, B, MemberStatus.failed), // a rebuilt cluster's old server
      server('gone', 'dc1', 5, B, MemberStatus.left),
      client,
    ]
    expect(datacenterConflicts(ms)).toEqual([])
  })

  it('tells a foreign claim of our own name from our own servers and from other datacenters', () => {
    expect(isForeignClaim(server('s2', 'dc1', 2, B), 'dc1', A)).toBe(true)
    expect(isForeignClaim(server('s1', 'dc1', 1, A), 'dc1', A)).toBe(false)
    expect(isForeignClaim(server('t1', 'dc2', 4, B), 'dc1', A)).toBe(false)
    // Without both identities nothing is foreign.
    expect(isForeignClaim(server('s2', 'dc1', 2), 'dc1', A)).toBe(false)
    expect(isForeignClaim(server('s2', 'dc1', 2, B), 'dc1', undefined)).toBe(false)
  })

  it('names the conflict, the servers and what to do, in the error and the log line', () => {
    const [c] = datacenterConflicts([server('s1', 'dc1', 1, A), server('s2', 'dc1', 2, B)])
    const err = conflictError(c!)
    expect(err).toContain('Datacenter "dc1" is claimed by 2 separately bootstrapped clusters')
    expect(err).toContain('raft_cluster_id aaaaaaaa: s1.dc1; raft_cluster_id bbbbbbbb: s2.dc1')
    expect(err).toContain('-datacenter')
    const own = conflictLogLine(c!, 'dc1', A)
    expect(own).toContain('Other clusters claim this datacenter\'s name "dc1"')
    expect(own).toContain('raft_cluster_id bbbbbbbb: s2.dc1')
    expect(own).not.toContain('s1.dc1')
    expect(conflictLogLine(c!, 'dc2', 'cccc')).toContain('requests for "dc1" are refused')
  })
})

describe('the WAN router with two clusters named dc1', () => {
  const members = [server('s1', 'dc1', 1, A), server('s2', 'dc1', 2, B), server('t1', 'dc2', 3, 'cccccccc')]
  const router = (dc: string, clusterId: string | undefined) => new WanRouter({datacenter: dc, members: () => members, self: () => undefined, coordinateOf: () => undefined, clusterId: () => clusterId})

  it('a dc1 server counts only its own cluster as dc1, and lists dc1 once', () => {
    const r = router('dc1', A)
    expect(r.datacenters()).toEqual(['dc1', 'dc2'])
    expect(r.serversOf('dc1')).toEqual(['127.0.0.1:8300'])
    const maps = r.coordinateMaps('s1.dc1')
    expect(maps.map((m) => m.Datacenter)).toEqual(['dc1', 'dc2'])
    expect(r.conflict('dc1')?.clusters.map((g) => g.clusterId)).toEqual([A, B])
  })

  it('a dc2 server lists dc1 once and reports the conflict for it (not for dc2)', () => {
    const r = router('dc2', 'cccccccc')
    expect(r.datacenters()).toEqual(['dc2', 'dc1'])
    expect(r.conflict('dc1')).toBeDefined()
    expect(r.conflict('dc2')).toBeUndefined()
  })
})

describe('forwarding to a datacenter two clusters claim', () => {
  it('is refused with a 500-class error naming the conflict; no server is called', async () => {
    const time = new VirtualTime()
    const env = time.env(1)
    const calls: string[] = []
    const [c] = datacenterConflicts([server('s1', 'dc1', 1, A), server('s2', 'dc1', 2, B)])
    const rpc = forwardingDelegate({
      env, log: memoryLogger(), local: (async () => 'local') as unknown as RpcDelegate,
      pool: {call: async (addr: string) => (calls.push(addr), 'remote')} as unknown as RpcPool,
      datacenter: 'dc2', serversOf: () => ['127.0.0.1:8300', '127.0.0.2:8300'],
      refuse: (dc) => (dc === 'dc1' ? conflictError(c!) : undefined),
      isLeader: () => true, leaderAddr: () => undefined, lastContactMs: () => 0,
      holdTimeoutMs: 7000, defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000,
    })
    const e = await rpc('KVS.Get', {Key: 'k', Datacenter: 'dc1'}).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(EndpointError)
    expect((e as EndpointError).code).toBe('internal')
    expect((e as EndpointError).message).toContain('Datacenter "dc1" is claimed by 2')
    expect(calls).toEqual([])
    // Its own datacenter is served here as ever.
    expect(await rpc('KVS.Get', {Key: 'k', Datacenter: 'dc2'})).toBe('local')
  })
})

describe('the conflict monitor', () => {
  it('logs a conflict once, counts it, and says when it is gone', () => {
    const lines: string[] = []
    const m = new DatacenterConflictMonitor(memoryLogger(lines, 'agent'), 'dc2')
    const now = datacenterConflicts([server('s1', 'dc1', 1, A), server('s2', 'dc1', 2, B)])
    m.update(now, 'cccc')
    m.update(now, 'cccc')
    expect(m.detected).toBe(1)
    expect(m.datacenters()).toEqual(['dc1'])
    expect(lines.filter((l) => l.startsWith('ERROR'))).toHaveLength(1)
    m.update([], 'cccc')
    expect(m.datacenters()).toEqual([])
    expect(lines.at(-1)).toContain('datacenter "dc1" is claimed by one cluster again')
  })
})

describe('the cluster identity', () => {
  function setup() {
    const fsm = new Fsm()
    let index = 0
    let leader = true
    const changes: string[] = []
    const applied: Command[] = []
    const apply = async (cmd: Command) => {
      applied.push(cmd)
      return fsm.apply(++index, 1, encodeCommand(cmd))
    }
    let n = 0
    const id = new ClusterIdentity({
      log: memoryLogger(), state: () => fsm.state, isLeader: () => leader, apply, mint: () => `minted-${++n}`,
      onChange: (x) => changes.push(x),
    })
    return {fsm, id, changes, applied, apply, setLeader: (v: boolean) => (leader = v)}
  }

  it('the leader stores one ID once (create-only) and every pass after adopts it', async () => {
    const t = setup()
    t.id.check()
    t.id.check() // a write in flight is not repeated
    await new Promise((r) => setImmediate(r))
    expect(t.applied).toHaveLength(1)
    expect(t.applied[0]).toEqual({type: 'system-metadata', op: 'create', entry: {Key: CLUSTER_ID_KEY, Value: 'minted-1'}})
    // Not user data: the KV store stays empty.
    expect(t.fsm.state.kvList('').entries).toEqual([])
    expect(t.id.current).toBe('minted-1')
    expect(t.changes).toEqual(['minted-1'])
    t.id.check()
    expect(t.applied).toHaveLength(1)
    expect(t.changes).toEqual(['minted-1'])
  })

  it('a proposal that fails at once is not retried until the next pass (no spin)', async () => {
    let calls = 0
    const id = new ClusterIdentity({
      // Leads only for a few calls, so a spinning implementation fails this test instead of hanging it.
      log: memoryLogger(), state: () => new Fsm().state, isLeader: () => calls < 5, mint: () => 'x', onChange: () => {},
      apply: async () => {
        calls++
        throw new Error('No cluster leader')
      },
    })
    id.check()
    for (let i = 0; i < 20; i++) await Promise.resolve()
    await new Promise((r) => setImmediate(r))
    expect(calls).toBe(1)
    id.check()
    await new Promise((r) => setImmediate(r))
    expect(calls).toBe(2)
    expect(id.current).toBeUndefined()
  })

  it('a follower never writes and adopts the ID its leader stored', async () => {
    const t = setup()
    t.setLeader(false)
    t.id.check()
    expect(t.applied).toEqual([])
    expect(t.id.current).toBeUndefined()
    await t.apply({type: 'system-metadata', op: 'create', entry: {Key: CLUSTER_ID_KEY, Value: A}})
    t.id.check()
    expect(t.id.current).toBe(A)
    expect(t.changes).toEqual([A])
  })

  it('a leader that finds one stored never replaces it; a restored snapshot\'s ID is adopted', async () => {
    const t = setup()
    await t.apply({type: 'system-metadata', op: 'create', entry: {Key: CLUSTER_ID_KEY, Value: A}})
    t.id.check()
    expect(t.applied).toHaveLength(1)
    expect(t.id.current).toBe(A)
    // Two leaders racing: the later create loses and the first ID stays.
    expect(await t.apply({type: 'system-metadata', op: 'create', entry: {Key: CLUSTER_ID_KEY, Value: B}})).toBe(false)
    t.id.check()
    expect(t.id.current).toBe(A)
    await t.apply({type: 'system-metadata', op: 'upsert', entry: {Key: CLUSTER_ID_KEY, Value: B}})
    t.id.check()
    expect(t.changes).toEqual([A, B])
  })
})
