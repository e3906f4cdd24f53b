/**
 * The Operator.* endpoints over real Raft nodes (three voters on the memory transport and
 * a virtual clock), through the same local delegate the HTTP layer calls.
 */
import {describe, expect, it} from 'vitest'
import {RaftNode} from '../../../src/agent/raft/node.js'
import {MemoryRaftHub} from '../../../src/agent/raft/transport-memory.js'
import {Autopilot} from '../../../src/agent/server/autopilot/autopilot.js'
import type {KnownServer} from '../../../src/agent/server/autopilot/types.js'
import {EndpointError, createEndpoints, localDelegate, type RpcDelegate} from '../../../src/agent/server/endpoints/index.js'
import {autopilotPort, operatorPort, type OperatorPortDeps} from '../../../src/agent/server/operator-port.js'
import type {Raft} from '../../../src/agent/server/raft.js'
import {Fsm, encodeCommand, type Command} from '../../../src/store/fsm/index.js'
import {MemoryRaftStore} from '../../../src/store/raft/memory-store.js'
import {VirtualTime, memoryLogger} from '../raft-node/helpers.js'

interface Server {
  id: string
  node: RaftNode
  rpc: RpcDelegate
  autopilot: Autopilot
}

const fast = {tickMs: 50, electionTicks: 10, heartbeatTicks: 1}

/** Gossip knows n1 and n2 (names, RPC addresses); n3 never joined the pool. */
const gossip: Record<string, KnownServer> = {
  n1: {id: 'n1', name: 'srv-1', address: '127.0.0.131:8300', status: 'alive', version: '1.0.0', raftVersion: '3'},
  n2: {id: 'n2', name: 'srv-2', address: '127.0.0.132:8300', status: 'alive', version: '1.0.0', raftVersion: '3'},
}

function cluster(ids: string[]) {
  const time = new VirtualTime()
  const hub = new MemoryRaftHub({defer: time.defer})
  const servers = new Map<string, Server>()
  let seed = 1
  for (const id of ids) {
    const env = time.env(seed++)
    const fsm = new Fsm()
    const node = new RaftNode({env, store: new MemoryRaftStore(), fsm, transport: hub.connect(id)}, {id, log: memoryLogger(), bootstrap: {voters: ids}, ...fast})
    const raft = {
      node,
      isLeader: () => node.isLeader(),
      get state() { return fsm.state },
      apply: async (cmd: Command) => (await node.propose(encodeCommand(cmd))).result,
    } as unknown as Raft
    const server: Partial<Server> = {id, node}
    const deps: OperatorPortDeps = {
      raft, env, log: memoryLogger(), nodeId: id, nodeName: gossip[id]?.name ?? id, selfAddress: () => gossip[id]?.address ?? `127.0.0.139:${8300 + seed}`,
      known: () => gossip, autopilot: () => server.autopilot, transferTimeoutMs: 5000,
    }
    server.autopilot = new Autopilot(autopilotPort(deps))
    server.rpc = localDelegate(createEndpoints({
      server: {state: () => fsm.state, apply: raft.apply.bind(raft), isLeader: () => node.isLeader(), hasLeader: () => node.leader() !== '', lastContactMs: () => node.lastContactMs(), verifyLeader: async () => {}, leaseRead: async () => {}},
      env, datacenter: 'dc1', defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000,
      raft: {leaderAddress: () => '', peers: () => [], configuration: () => ({Servers: [], Index: 0})},
      sessionTimers: {reset: () => {}, clear: () => {}},
      coordinates: {update: () => {}, datacenters: () => []},
      operator: operatorPort(deps),
    }))
    node.start()
    servers.set(id, server as Server)
  }
  const leader = async (): Promise<Server> => {
    await time.until(() => [...servers.values()].some((s) => s.node.isLeader()), 30_000, 'a leader')
    return [...servers.values()].find((s) => s.node.isLeader())!
  }
  const stop = () => { for (const s of servers.values()) s.node.stop() }
  return {time, servers, leader, stop}
}

async function failure(p: Promise<unknown>): Promise<{code: string; message: string}> {
  try {
    await p
  } catch (e) {
    if (e instanceof EndpointError) return {code: e.code, message: e.message}
    throw e
  }
  throw new Error('expected a failure')
}

describe('Operator endpoints over real Raft nodes', () => {
  it('configuration: the leader answers; a follower only with AllowStale; unknown servers get no invented name or address', async () => {
    const c = cluster(['n1', 'n2', 'n3'])
    try {
      const leader = await c.leader()
      const conf = await leader.rpc('Operator.RaftGetConfiguration', {})
      expect(conf.Servers.map((s) => s.ID).sort()).toEqual(['n1', 'n2', 'n3'])
      expect(conf.Servers.filter((s) => s.Leader).map((s) => s.ID)).toEqual([leader.id])
      expect(conf.Servers.every((s) => s.Voter)).toBe(true)
      expect(conf.Servers.find((s) => s.ID === 'n3')).toMatchObject({Node: '', Address: '', ProtocolVersion: leader.id === 'n3' ? '3' : ''})
      expect(conf.Servers.find((s) => s.ID === 'n2')).toMatchObject({Node: 'srv-2', Address: '127.0.0.132:8300', ProtocolVersion: '3'})
      expect(conf.Index).toBeGreaterThan(0)
      const follower = [...c.servers.values()].find((s) => s !== leader)!
      expect(await failure(follower.rpc('Operator.RaftGetConfiguration', {}))).toEqual({code: 'no-leader', message: 'No cluster leader'})
      expect((await follower.rpc('Operator.RaftGetConfiguration', {AllowStale: true})).Servers).toHaveLength(3)
    } finally {
      c.stop()
    }
  })

  it('remove-peer and transfer-leader refuse bad targets with Consul\'s messages, then do what they say', async () => {
    const c = cluster(['n1', 'n2', 'n3'])
    try {
      let leader = await c.leader()
      expect(await failure(leader.rpc('Operator.RaftRemovePeerByID', {ID: 'nope'}))).toEqual({code: 'internal', message: 'id "nope" was not found in the Raft configuration'})
      expect(await failure(leader.rpc('Operator.RaftRemovePeerByAddress', {Address: '10.9.9.9:8300'}))).toEqual({code: 'internal', message: 'address "10.9.9.9:8300" was not found in the Raft configuration'})
      expect((await failure(leader.rpc('Operator.RaftTransferLeader', {ID: leader.id}))).message).toContain('already the leader')
      expect((await failure(leader.rpc('Operator.RaftTransferLeader', {ID: 'ghost'}))).message).toContain('not in the Raft configuration')
      const target = leader.id === 'n2' ? 'n1' : 'n2'
      expect(await c.time.settle(leader.rpc('Operator.RaftTransferLeader', {ID: target}))).toEqual({Success: true})
      leader = await c.leader()
      expect(leader.id).toBe(target)
      // By address: n1/n2 are known to gossip, so their address maps to their id.
      const victim = target === 'n1' ? 'n2' : 'n1'
      await c.time.settle(leader.rpc('Operator.RaftRemovePeerByAddress', {Address: gossip[victim]!.address}))
      expect(leader.node.configuration().servers.map((s) => s.id).sort()).toEqual([target, 'n3'].sort())
      await c.time.settle(leader.rpc('Operator.RaftRemovePeerByID', {ID: 'n3'}))
      expect(leader.node.configuration().servers.map((s) => s.id)).toEqual([target])
      // The last voter stays.
      expect(await failure(leader.rpc('Operator.RaftRemovePeerByID', {ID: target}))).toEqual({code: 'internal', message: 'need at least one voter in configuration'})
      // No other voter: nothing to transfer to.
      expect((await failure(leader.rpc('Operator.RaftTransferLeader', {}))).message).toBe('cannot find peer')
    } finally {
      c.stop()
    }
  })

  it('transfer-leader to a non-voter is refused', async () => {
    const c = cluster(['n1'])
    try {
      const leader = await c.leader()
      await c.time.settle(leader.node.addNonvoter('n2'))
      expect((await failure(leader.rpc('Operator.RaftTransferLeader', {ID: 'n2'}))).message).toBe('cannot transfer leadership to "n2": it is a non-voter')
    } finally {
      c.stop()
    }
  })

  it('autopilot configuration: written by the leader\'s first round, CAS on ModifyIndex; health and state from its rounds', async () => {
    const c = cluster(['n1', 'n2', 'n3'])
    try {
      const leader = await c.leader()
      expect(await failure(leader.rpc('Operator.AutopilotGetConfiguration', {}))).toEqual({code: 'internal', message: 'autopilot config not initialized yet'})
      expect(await failure(leader.rpc('Operator.AutopilotState', {}))).toEqual({code: 'internal', message: 'Failed to get autopilot state: no state found'})
      expect(await leader.rpc('Operator.ServerHealth', {})).toEqual({Healthy: false, FailureTolerance: 0, Servers: []})
      await c.time.settle(leader.autopilot.tick(c.time.nowMs))
      const {value: cfg, meta} = await leader.rpc('Operator.AutopilotGetConfiguration', {})
      expect(cfg).toMatchObject({CleanupDeadServers: true, LastContactThresholdMs: 200, MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTimeMs: 10_000})
      expect(cfg.CreateIndex).toBe(cfg.ModifyIndex)
      expect(meta.index).toBe(cfg.ModifyIndex)
      const next = {...cfg, MinQuorum: 3}
      expect(await c.time.settle(leader.rpc('Operator.AutopilotSetConfiguration', {Config: {...next, ModifyIndex: cfg.ModifyIndex - 1}, CAS: true}))).toBe(false)
      expect(await c.time.settle(leader.rpc('Operator.AutopilotSetConfiguration', {Config: next, CAS: true}))).toBe(true)
      const after = (await leader.rpc('Operator.AutopilotGetConfiguration', {})).value
      expect(after).toMatchObject({MinQuorum: 3, CreateIndex: cfg.CreateIndex})
      expect(after.ModifyIndex).toBeGreaterThan(cfg.ModifyIndex)
      // A follower answers the configuration from its own copy only with AllowStale (default: leader).
      const follower = [...c.servers.values()].find((s) => s !== leader)!
      await c.time.until(() => follower.node.stats().applied_index === leader.node.stats().applied_index, 5000, 'follower applied')
      expect((await follower.rpc('Operator.AutopilotGetConfiguration', {AllowStale: true})).value.MinQuorum).toBe(3)
      // Health: n3 is unknown to gossip, so it counts as left and unhealthy.
      await c.time.advance(200)
      await c.time.settle(leader.autopilot.tick(c.time.nowMs, 1_700_000_000_000 + c.time.nowMs))
      const health = await leader.rpc('Operator.ServerHealth', {})
      const byId = Object.fromEntries(health.Servers.map((s) => [s.ID, s]))
      expect(byId[leader.id]).toMatchObject({Leader: true, Voter: true, Healthy: leader.id !== 'n3', LastContactMs: 0})
      expect(byId.n3).toMatchObject({SerfStatus: 'left', Healthy: false, Name: '', Address: ''})
      expect(health.Healthy).toBe(false)
      const state = await leader.rpc('Operator.AutopilotState', {})
      expect(state.leader).toBe(leader.id)
      expect(state.voters).toHaveLength(3)
      expect(await failure(follower.rpc('Operator.ServerHealth', {}))).toEqual({code: 'no-leader', message: 'No cluster leader'})
    } finally {
      c.stop()
    }
  })
})
