import {describe, expect, it} from 'vitest'
import type {NodeId} from '../../../src/agent/raft/core/types.js'
import {RaftError, RaftNode, type RaftNodeOptions} from '../../../src/agent/raft/node.js'
import {MemoryRaftHub} from '../../../src/agent/raft/transport-memory.js'
import {MemoryRaftStore} from '../../../src/store/raft/memory-store.js'
import {SqliteRaftStore} from '../../../src/store/raft/sqlite-store.js'
import type {RaftStore} from '../../../src/store/raft/types.js'
import type {RaftTransport} from '../../../src/agent/raft/transport.js'
import {MapFsm, VirtualTime, cmd, memoryLogger, rejection} from './helpers.js'

interface Member {
  id: NodeId
  node: RaftNode
  fsm: MapFsm
  store: RaftStore
}

/** Raft nodes on one virtual clock and one in-memory network. */
class Cluster {
  readonly time = new VirtualTime()
  readonly hub = new MemoryRaftHub({defer: this.time.defer})
  readonly members = new Map<NodeId, Member>()
  /** Election safety, checked on every leader change: at most one leader per term. */
  readonly leaderOfTerm = new Map<number, NodeId>()
  private readonly transports = new Map<NodeId, RaftTransport>()
  private readonly options = new Map<NodeId, Partial<RaftNodeOptions>>()
  private seed = 1

  add(id: NodeId, opts: Partial<RaftNodeOptions> = {}, store: RaftStore = new MemoryRaftStore()): Member {
    const fsm = new MapFsm()
    const transport = this.hub.connect(id)
    const node = new RaftNode({env: this.time.env(this.seed++), store, fsm, transport}, {id, log: memoryLogger(), ...opts})
    node.onLeaderChange((leader) => {
      if (leader !== id) return
      const term = Number(node.stats().term)
      const prev = this.leaderOfTerm.get(term)
      if (prev !== undefined && prev !== id) throw new Error(`two leaders in term ${term}: ${prev} and ${id}`)
      this.leaderOfTerm.set(term, id)
    })
    const m = {id, node, fsm, store}
    this.members.set(id, m)
    this.transports.set(id, transport)
    this.options.set(id, opts)
    node.start()
    return m
  }

  /** Stops a node and starts a fresh one (new FSM) over the same durable store. */
  restart(id: NodeId, reopen: (old: RaftStore) => RaftStore): Member {
    const old = this.get(id)
    old.node.stop()
    old.store.close()
    this.transports.get(id)!.close()
    return this.add(id, this.options.get(id), reopen(old.store))
  }

  get(id: NodeId): Member {
    return this.members.get(id)!
  }

  leaders(among: Iterable<Member> = this.members.values()): Member[] {
    return [...among].filter((m) => m.node.isLeader())
  }

  /** Waits until exactly one of `among` leads and the others follow it. */
  async stableLeader(among: NodeId[] = [...this.members.keys()]): Promise<Member> {
    const ms = among.map((id) => this.get(id))
    await this.time.until(() => this.leaders(ms).length === 1 && ms.every((m) => m.node.leader() === this.leaders(ms)[0]!.id), 30_000, 'a stable leader')
    return this.leaders(ms)[0]!
  }

  async converged(ids: NodeId[] = [...this.members.keys()]): Promise<void> {
    const ms = ids.map((id) => this.get(id))
    const same = () => {
      const applied = ms.map((m) => m.node.stats().applied_index)
      const maps = ms.map((m) => JSON.stringify([...m.fsm.map].sort()))
      return applied.every((a) => a === applied[0]) && maps.every((x) => x === maps[0]) && ms.every((m) => m.node.stats().commit_index === m.node.stats().applied_index)
    }
    await this.time.until(same, 30_000, 'convergence')
  }

  stop(): void {
    for (const m of this.members.values()) {
      m.node.stop()
      m.store.close()
    }
  }
}

/** Disks whose syncs complete 1 virtual ms later, or wait in `held` while a node's disk is held. */
function holdableDisks(c: Cluster, seed: number): {held: Map<NodeId, (() => void)[]>; store(id: NodeId): MemoryRaftStore} {
  const held = new Map<NodeId, (() => void)[]>()
  const diskTimers = c.time.env(seed).timers
  return {held, store: (id) => new MemoryRaftStore({syncLater: (fn) => (held.get(id)?.push(fn) ?? diskTimers.after(1, fn))})}
}

const voters = ['n1', 'n2', 'n3']
const fast = {tickMs: 50, electionTicks: 10, heartbeatTicks: 1}

function three(extra: Partial<RaftNodeOptions> = {}): Cluster {
  const c = new Cluster()
  c.add('n1', {bootstrap: {voters}, ...fast, ...extra})
  c.add('n2', {bootstrap: {voters}, ...fast, ...extra})
  c.add('n3', {bootstrap: {voters}, ...fast, ...extra}, SqliteRaftStore.open(':memory:'))
  return c
}

describe('RaftNode cluster over the memory transport', () => {
  it('elects one leader and replicates to every FSM', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      const results = await c.time.settle(Promise.all(Array.from({length: 100}, (_, i) => leader.node.propose(cmd(`k${i}`, `v${i}`)))))
      expect(results.map((r) => r.index)).toEqual(results.map((_, i) => results[0]!.index + i))
      await c.converged()
      for (const m of c.members.values()) {
        expect(m.fsm.map.size).toBe(100)
        expect(m.node.leader()).toBe(leader.id)
        expect(m.node.configuration().servers.map((s) => s.id)).toEqual(voters)
      }
      const follower = [...c.members.values()].find((m) => m !== leader)!
      const err = await rejection(follower.node.propose(cmd('x', 'y')))
      expect(err.code).toBe('not-leader')
      expect(err.leader).toBe(leader.id)
      expect(follower.node.lastContactMs()).toBeGreaterThanOrEqual(0)
      expect(follower.node.lastContactMs()).toBeLessThan(1000)
      expect(follower.node.stats().state).toBe('Follower')
      expect(leader.node.stats().num_peers).toBe('2')
      expect(c.leaders()).toHaveLength(1)
    } finally {
      c.stop()
    }
  })

  it('verifyLeader confirms on the leader only, after its writes are applied', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      const w = await c.time.settle(leader.node.propose(cmd('a', '1')))
      const idx = await c.time.settle(leader.node.verifyLeader())
      expect(idx).toBeGreaterThanOrEqual(w.index)
      const follower = [...c.members.values()].find((m) => m !== leader)!
      expect((await rejection(follower.node.verifyLeader())).code).toBe('not-leader')
    } finally {
      c.stop()
    }
  })

  it('fails over when the leader is isolated, and the old leader rejoins as a follower', async () => {
    const c = three()
    try {
      const old = await c.stableLeader()
      const oldTerm = Number(old.node.stats().term)
      await c.time.settle(old.node.propose(cmd('before', '1')))
      c.hub.isolate(old.id)
      const stranded = old.node.propose(cmd('stranded', 'x'))
      const staleRead = old.node.verifyLeader()
      const others = voters.filter((id) => id !== old.id)
      const next = await c.stableLeader(others)
      expect(next.id).not.toBe(old.id)
      expect(Number(next.node.stats().term)).toBeGreaterThan(oldTerm)
      // Check-quorum makes the isolated leader step down: its requests cannot succeed.
      expect(['leadership-lost', 'timeout']).toContain((await c.time.settle(rejection(stranded))).code)
      expect(['leadership-lost', 'timeout']).toContain((await c.time.settle(rejection(staleRead))).code)
      await c.time.settle(next.node.propose(cmd('during', '2')))
      c.hub.heal()
      await c.time.until(() => old.node.leader() === next.id, 30_000, 'old leader follows')
      await c.time.settle(next.node.propose(cmd('after', '3')))
      await c.converged()
      for (const m of c.members.values()) {
        expect(m.fsm.map.get('before')).toBe('1')
        expect(m.fsm.map.get('during')).toBe('2')
        expect(m.fsm.map.has('stranded')).toBe(false)
      }
    } finally {
      c.stop()
    }
  })

  it('restarts a follower from its durable state and catches it up', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      await c.time.settle(Promise.all(Array.from({length: 30}, (_, i) => leader.node.propose(cmd(`a${i}`, 'v')))))
      await c.converged()
      const victim = [...c.members.values()].find((m) => m !== leader && m.store instanceof MemoryRaftStore)!
      const appliedBefore = Number(victim.node.stats().applied_index)
      victim.node.stop()
      await c.time.settle(Promise.all(Array.from({length: 30}, (_, i) => leader.node.propose(cmd(`b${i}`, 'v')))))
      const again = c.restart(victim.id, (old) => new MemoryRaftStore({disk: (old as MemoryRaftStore).disk}))
      // The log replay alone restores everything it had applied before stopping.
      expect(Number(again.node.stats().applied_index)).toBeGreaterThanOrEqual(appliedBefore)
      expect(again.fsm.map.get('a29')).toBe('v')
      await c.converged()
      expect(again.fsm.map.get('b29')).toBe('v')
      expect(again.node.leader()).toBe(leader.id)
    } finally {
      c.stop()
    }
  })

  it('sends a leader\'s appends before its own disk syncs, and commits on its copy only once that sync is done', async () => {
    const c = new Cluster()
    const {held, store} = holdableDisks(c, 99)
    try {
      for (const id of voters) c.add(id, {bootstrap: {voters}, ...fast}, store(id))
      const leader = await c.stableLeader()
      await c.time.settle(leader.node.propose(cmd('warm', 'up')))
      await c.converged()
      const [f1, f2] = [...c.members.values()].filter((m) => m !== leader)
      // With f2 down, an entry commits only on the leader's copy plus f1's.
      f2!.node.stop()
      held.set(leader.id, [])
      let settled = false
      const last = leader.store.lastIndex() + 1
      const write = leader.node.propose(cmd('k', 'v'))
      write.then(() => (settled = true), () => (settled = true))
      await c.time.until(() => f1!.store.lastIndex() === last && (f1!.store as MemoryRaftStore).unsynced() === 0, 5_000, 'the append at the follower, durable')
      expect((leader.store as MemoryRaftStore).unsynced()).toBeGreaterThan(0)
      // f1's durable ack is one copy of two needed: nothing commits while the leader's own
      // copy is not durable.
      await c.time.advance(300)
      expect(settled).toBe(false)
      expect(Number(f1!.node.stats().commit_index)).toBeLessThan(last)
      expect(leader.node.isLeader()).toBe(true)
      // The leader's disk syncs: the entry commits and applies.
      const syncs = held.get(leader.id)!
      held.delete(leader.id)
      for (const fn of syncs) fn()
      expect((await c.time.settle(write)).index).toBe(last)
      await c.time.until(() => Number(f1!.node.stats().applied_index) >= last, 5_000, 'applied at the follower')
      expect(f1!.fsm.map.get('k')).toBe('v')
    } finally {
      c.stop()
    }
  })

  it('a leader whose disk stalls longer than the election timeout keeps sending heartbeats, and keeps its leadership', async () => {
    const c = new Cluster()
    const {held, store} = holdableDisks(c, 98)
    try {
      for (const id of voters) c.add(id, {bootstrap: {voters}, ...fast}, store(id))
      const leader = await c.stableLeader()
      await c.time.settle(leader.node.propose(cmd('warm', 'up')))
      const term = leader.node.stats().term
      held.set(leader.id, [])
      const write = leader.node.propose(cmd('k', 'v'))
      // Four election timeouts (10 ticks of 50 ms, randomised up to 2×) with the leader's fsync stuck.
      await c.time.advance(4_000)
      expect((leader.store as MemoryRaftStore).unsynced()).toBeGreaterThan(0)
      for (const m of c.members.values()) {
        expect(m.node.stats().term).toBe(term)
        expect(m.node.leader()).toBe(leader.id)
      }
      const syncs = held.get(leader.id)!
      held.delete(leader.id)
      for (const fn of syncs) fn()
      await c.time.settle(write)
      await c.converged()
      for (const m of c.members.values()) expect(m.fsm.map.get('k')).toBe('v')
    } finally {
      c.stop()
    }
  })

  it('a follower forwards a proposal inside the Raft stream and answers with its own FSM result once it applied the entry', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      const follower = [...c.members.values()].find((m) => m !== leader)!
      await c.time.settle(leader.node.propose(cmd('k', 'v0')))
      // One turn's proposals travel together; each resolves with where its entry went and what it returned.
      const results = await c.time.settle(Promise.all([1, 2, 3].map((i) => follower.node.propose(cmd('k', `v${i}`), {forward: true}))))
      expect(results.map((r) => r.index)).toEqual([results[0]!.index, results[0]!.index + 1, results[0]!.index + 2])
      expect(results.map((r) => (r.result as {prev: string}).prev)).toEqual(['v0', 'v1', 'v2'])
      // Answered only once applied here, so a read on this follower sees its own write.
      expect(follower.fsm.map.get('k')).toBe('v3')
      expect(follower.fsm.applied).toContain(results[2]!.index)
      await c.converged()
      for (const m of c.members.values()) expect(m.fsm.map.get('k')).toBe('v3')
      // On the leader itself the option changes nothing.
      expect((await c.time.settle(leader.node.propose(cmd('k', 'v4'), {forward: true}))).index).toBe(results[2]!.index + 1)
    } finally {
      c.stop()
    }
  })

  it('a forwarded proposal the leader refuses (a transfer in progress) rejects as not-leader: nothing was appended', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      const [a, b] = [...c.members.values()].filter((m) => m !== leader)
      // b cannot catch up, so the transfer to it stays in progress and the leader refuses proposals.
      c.hub.isolate(b!.id)
      await c.time.settle(leader.node.propose(cmd('x', '1')))
      leader.node.transferLeadership(b!.id)
      const before = leader.node.stats().last_log_index
      const err = await c.time.settle(rejection(a!.node.propose(cmd('refused', '1'), {forward: true})))
      expect(err.code).toBe('not-leader')
      expect(err.message).toMatch(/refused/)
      expect(leader.node.stats().last_log_index).toBe(before)
      c.hub.heal()
    } finally {
      c.stop()
    }
  })

  it('a forwarded proposal whose leader is lost before it answers rejects with an unknown outcome, not a success', async () => {
    const c = three()
    try {
      const old = await c.stableLeader()
      const follower = [...c.members.values()].find((m) => m !== old)!
      await c.time.settle(follower.node.propose(cmd('before', '1'), {forward: true}))
      c.hub.cut(follower.id, old.id, true) // the MsgProp never arrives
      const lost = follower.node.propose(cmd('lost', '1'), {forward: true})
      c.hub.isolate(old.id)
      const err = await c.time.settle(rejection(lost))
      expect(['leadership-lost', 'timeout']).toContain(err.code)
      c.hub.heal()
      await c.stableLeader()
      await c.converged()
      for (const m of c.members.values()) expect(m.fsm.map.has('lost')).toBe(false)
      // A follower with no leader known refuses at once: surely not appended.
      const lone = new Cluster()
      const n = lone.add('solo-f', {bootstrap: {voters: ['solo-f', 'other']}, ...fast})
      expect((await rejection(n.node.propose(cmd('x', '1'), {forward: true}))).code).toBe('not-leader')
      lone.stop()
    } finally {
      c.stop()
    }
  })

  it('transfers leadership on request', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      const target = [...c.members.values()].find((m) => m !== leader)!
      leader.node.transferLeadership(target.id)
      await c.time.until(() => target.node.isLeader(), 30_000, 'transfer')
      expect((await c.stableLeader()).id).toBe(target.id)
      expect(leader.node.isLeader()).toBe(false)
      await c.time.settle(target.node.propose(cmd('new', 'leader')))
      await c.converged()
    } finally {
      c.stop()
    }
  })

  it('brings a lagging follower up to date with a snapshot after compaction', async () => {
    const c = three({snapshotThreshold: 20, trailingLogs: 5})
    try {
      const leader = await c.stableLeader()
      const lagger = [...c.members.values()].find((m) => m !== leader)!
      c.hub.isolate(lagger.id)
      for (let i = 0; i < 60; i++) await c.time.settle(leader.node.propose(cmd(`k${i}`, `v${i}`)))
      expect(leader.store.firstIndex()).toBeGreaterThan(lagger.store.lastIndex() + 1)
      const restoresBefore = lagger.fsm.restores
      c.hub.heal()
      await c.converged()
      expect(lagger.fsm.restores).toBeGreaterThan(restoresBefore)
      expect(c.hub.sent.get('MsgSnap')).toBeGreaterThanOrEqual(1)
      expect(lagger.fsm.map.get('k59')).toBe('v59')
      expect(lagger.store.latestSnapshot()!.meta.index).toBeGreaterThan(20)
    } finally {
      c.stop()
    }
  })

  it('adds and removes a voter', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      await c.time.settle(Promise.all(Array.from({length: 10}, (_, i) => leader.node.propose(cmd(`k${i}`, 'v')))))
      const n4 = c.add('n4', fast) // empty store, no bootstrap: waits to be contacted
      expect(n4.node.isLeader()).toBe(false)
      const idx = await c.time.settle(leader.node.addVoter('n4', '127.0.0.1:8300'))
      expect(leader.node.configuration()).toEqual({servers: ['n1', 'n2', 'n3', 'n4'].map((id) => ({id, voter: true})), index: idx})
      await c.converged()
      expect(n4.fsm.map.size).toBe(10)
      expect(n4.node.configuration().servers).toHaveLength(4)
      const removed = await c.time.settle(leader.node.removeServer('n4'))
      expect(removed).toBeGreaterThan(idx)
      await c.converged(voters)
      for (const id of voters) expect(c.get(id).node.configuration().servers.map((s) => s.id)).toEqual(voters)
    } finally {
      c.stop()
    }
  })

  it('bootstraps late with bootstrapCluster once, and refuses on a node that has state', async () => {
    const c = new Cluster()
    try {
      const ids = ['n1', 'n2', 'n3']
      for (const id of ids) c.add(id, fast) // no bootstrap option: bootstrap_expect not reached yet
      await c.time.advance(2_000)
      expect(c.leaders()).toHaveLength(0)
      expect(c.get('n1').node.bootstrapCluster(ids)).toBe(true)
      const leader = await c.stableLeader()
      await c.time.settle(leader.node.propose(cmd('a', '1')))
      await c.converged()
      // Every node now has state: a second bootstrap (another server reaching expect late) changes nothing.
      for (const id of ids) expect(c.get(id).node.bootstrapCluster(['n1', 'n2', 'n3', 'x'])).toBe(false)
      expect(leader.node.configuration().servers.map((s) => s.id)).toEqual(ids)
    } finally {
      c.stop()
    }
  })

  it('adds a non-voter that replicates without voting, then promotes it', async () => {
    const c = three()
    try {
      const leader = await c.stableLeader()
      await c.time.settle(leader.node.propose(cmd('k', 'v')))
      const n4 = c.add('n4', fast)
      await c.time.settle(leader.node.addNonvoter('n4'))
      await c.converged()
      expect(n4.fsm.map.get('k')).toBe('v')
      expect(leader.node.configuration().servers.find((s) => s.id === 'n4')).toEqual({id: 'n4', voter: false})
      const peers = leader.node.peers()
      expect(Object.keys(peers).sort()).toEqual(['n1', 'n2', 'n3', 'n4'].filter((id) => id !== leader.id))
      expect(peers['n4']!.match).toBeGreaterThan(0)
      expect(peers['n4']!.lastContactMs).toBeGreaterThanOrEqual(0)
      await c.time.settle(leader.node.addVoter('n4'))
      expect(leader.node.configuration().servers.find((s) => s.id === 'n4')).toEqual({id: 'n4', voter: true})
    } finally {
      c.stop()
    }
  })
})
