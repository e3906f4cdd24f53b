import {describe, expect, it} from 'vitest'
import {Autopilot, type AutopilotPort} from '../../../src/agent/server/autopilot/autopilot.js'
import {DEFAULT_AUTOPILOT_CONFIG, type AutopilotSettings} from '../../../src/agent/server/autopilot/config.js'
import {isHealthy, nextState, requiredQuorum} from '../../../src/agent/server/autopilot/health.js'
import {removals} from '../../../src/agent/server/autopilot/reconcile.js'
import type {KnownServer, NodeStatus} from '../../../src/agent/server/autopilot/types.js'
import type {AutopilotConfigInput} from '../../../src/store/state/types.js'
import type {Logger} from '../../../src/agent/env/types.js'

const quiet: Logger = {trace() {}, debug() {}, info() {}, warn() {}, error() {}, named: () => quiet, setLevel() {}}
const cfg: AutopilotSettings = DEFAULT_AUTOPILOT_CONFIG

const known = (id: string, status: NodeStatus = 'alive'): KnownServer => ({id, name: `node-${id}`, address: `10.0.0.${id.length}:8300`, status, version: '1.0.0'})

/** A leader "a" and its cluster, with time advanced by hand. */
class FakeCluster implements AutopilotPort {
  selfId = 'a'
  leader = true
  voters = new Set(['a'])
  learners = new Set<string>()
  gossip: Record<string, KnownServer> = {a: known('a')}
  progress: Record<string, {match: number; lastContactMs: number}> = {}
  last = {index: 100, term: 3}
  stored: AutopilotConfigInput | undefined
  calls: string[] = []
  log = quiet

  isLeader() { return this.leader }
  configuration() { return {servers: [...[...this.voters].map((id) => ({id, voter: true})), ...[...this.learners].map((id) => ({id, voter: false}))]} }
  peers() { return this.progress }
  lastLog() { return this.last }
  termAt() { return this.last.term }
  members() { return this.gossip }
  config() { return this.stored }
  async initConfig() { this.calls.push('init'); this.stored = {...DEFAULT_AUTOPILOT_CONFIG} }
  async addVoter(id: string) { this.calls.push(`promote ${id}`); this.learners.delete(id); this.voters.add(id) }
  async removeServer(id: string) { this.calls.push(`remove ${id}`); this.voters.delete(id); this.learners.delete(id) }

  /** A follower that is up to date and was heard from just now. */
  healthyPeer(id: string, voter: boolean) {
    ;(voter ? this.voters : this.learners).add(id)
    this.gossip[id] = known(id)
    this.progress[id] = {match: this.last.index, lastContactMs: 10}
  }
}

describe('autopilot health (raft-autopilot rules)', () => {
  const ok = {lastContactMs: 10, lastTerm: 3, lastIndex: 100}
  it('is healthy only when alive, recently contacted, on the leader\'s term and within MaxTrailingLogs', () => {
    expect(isHealthy('alive', ok, 100, 3, cfg)).toBe(true)
    expect(isHealthy('failed', ok, 100, 3, cfg)).toBe(false)
    expect(isHealthy('left', ok, 100, 3, cfg)).toBe(false)
    expect(isHealthy('alive', {...ok, lastContactMs: 201}, 100, 3, cfg)).toBe(false)
    expect(isHealthy('alive', {...ok, lastContactMs: 200}, 100, 3, cfg)).toBe(true)
    expect(isHealthy('alive', {...ok, lastContactMs: -1}, 100, 3, cfg)).toBe(false)
    expect(isHealthy('alive', {...ok, lastTerm: 2}, 100, 3, cfg)).toBe(false)
    expect(isHealthy('alive', {...ok, lastIndex: 100 - 250}, 100, 3, cfg)).toBe(true)
    expect(isHealthy('alive', {...ok, lastIndex: 400 - 251}, 400, 3, cfg)).toBe(false)
    // Nothing is healthy before Raft has an index and a term.
    expect(isHealthy('alive', ok, 0, 3, cfg)).toBe(false)
  })

  it('counts failure tolerance over healthy voters and carries StableSince until health flips', () => {
    expect([1, 2, 3, 4, 5].map(requiredQuorum)).toEqual([1, 2, 2, 3, 3])
    const base = {config: cfg, leaderId: 'a', leaderLastIndex: 100, leaderLastTerm: 3}
    const raftServers = ['a', 'b', 'c'].map((id) => ({id, voter: true}))
    const stats = {a: {lastContactMs: 0, lastTerm: 3, lastIndex: 100}, b: {lastContactMs: 5, lastTerm: 3, lastIndex: 99}, c: {lastContactMs: 5, lastTerm: 3, lastIndex: 100}}
    const gossip = {a: known('a'), b: known('b'), c: known('c')}
    const s1 = nextState({...base, nowMs: 0, wallMs: 5000, raftServers, stats, known: gossip})
    expect(s1.healthy).toBe(true)
    expect(s1.failureTolerance).toBe(1)
    expect(s1.leader).toBe('a')
    expect(s1.voters).toEqual(['a', 'b', 'c'])
    const s2 = nextState({...base, nowMs: 1000, wallMs: 6000, raftServers, stats, known: gossip, previous: s1})
    expect(s2.servers.find((s) => s.id === 'b')!.stableSinceMs).toBe(0)
    const s3 = nextState({...base, nowMs: 2000, wallMs: 7000, raftServers, stats, known: {...gossip, b: known('b', 'failed')}, previous: s2})
    const b = s3.servers.find((s) => s.id === 'b')!
    expect(b.healthy).toBe(false)
    expect(b.stableSinceMs).toBe(2000)
    expect(b.stableSinceWallMs).toBe(7000)
    expect(s3.healthy).toBe(false)
    expect(s3.failureTolerance).toBe(0)
    // A server gossip does not know is reported as left, with no name invented.
    const s4 = nextState({...base, nowMs: 3000, wallMs: 8000, raftServers: [...raftServers, {id: 'd', voter: false}], stats, known: gossip})
    const d = s4.servers.find((s) => s.id === 'd')!
    expect(d).toMatchObject({nodeStatus: 'left', name: '', address: '', role: 'non-voter', healthy: false})
  })
})

describe('autopilot reconcile', () => {
  it('writes Consul\'s default configuration when a leader has none stored', async () => {
    const c = new FakeCluster()
    await new Autopilot(c).tick(0)
    expect(c.calls).toEqual(['init'])
    expect(c.stored).toMatchObject({CleanupDeadServers: true, LastContactThresholdMs: 200, MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTimeMs: 10_000})
  })

  it('promotes a healthy non-voter only once it has been stable for ServerStabilizationTime', async () => {
    const c = new FakeCluster()
    const ap = new Autopilot(c)
    c.healthyPeer('b', true)
    for (let t = 0; t <= 20_000; t += 2000) await ap.tick(t)
    c.healthyPeer('n', false)
    expect(await ap.tick(22_000)).toEqual([])
    expect(await ap.tick(30_000)).toEqual([]) // reconcile ran at 30 s, but n is stable only since 22 s
    expect(c.learners.has('n')).toBe(true)
    expect(await ap.tick(40_000)).toEqual([{type: 'promote', id: 'n'}])
    expect(c.voters.has('n')).toBe(true)
    // The state is computed before acting: the next tick shows the new voter.
    await ap.tick(42_000)
    expect(ap.state()!.voters).toContain('n')
  })

  it('does not promote an unhealthy non-voter, and in its first term grace promotes a healthy one at once', async () => {
    const c = new FakeCluster()
    const ap = new Autopilot(c)
    c.healthyPeer('slow', false)
    c.progress.slow = {match: 100, lastContactMs: 5000}
    c.healthyPeer('fast', false)
    expect(await ap.tick(0)).toEqual([{type: 'promote', id: 'fast'}])
    expect(c.learners.has('slow')).toBe(true)
    expect(ap.state()!.servers.find((s) => s.id === 'slow')!.healthy).toBe(false)
  })

  it('removes failed servers without going below half the voters or MinQuorum', () => {
    const servers = (ids: string[]) => ids.map((id) => ({id, voter: true}))
    const gossip = (failed: string[], ids: string[]) => Object.fromEntries(ids.map((id) => [id, known(id, failed.includes(id) ? 'failed' : 'alive')]))
    const five = ['a', 'b', 'c', 'd', 'e']
    expect(removals(servers(five), gossip(['d'], five), cfg, 'a')).toEqual([{type: 'remove', id: 'd', reason: 'failed'}])
    // Two failed of five: at most (5-1)/2 = 2 at once.
    expect(removals(servers(five), gossip(['d', 'e'], five), cfg, 'a').map((a) => a.id)).toEqual(['d', 'e'])
    // Two failed of three: one per round.
    expect(removals(servers(['a', 'b', 'c']), gossip(['b', 'c'], ['a', 'b', 'c']), cfg, 'a').map((a) => a.id)).toEqual(['b'])
    // MinQuorum 3 keeps three voters.
    expect(removals(servers(['a', 'b', 'c']), gossip(['c'], ['a', 'b', 'c']), {...cfg, MinQuorum: 3}, 'a')).toEqual([])
    // CleanupDeadServers off: nothing.
    expect(removals(servers(five), gossip(['d'], five), {...cfg, CleanupDeadServers: false}, 'a')).toEqual([])
    // Left servers go too; a server gossip has never heard of ("stale") goes if it is a non-voter.
    expect(removals([...servers(five), {id: 'x', voter: false}], {...gossip([], five), e: known('e', 'left')}, cfg, 'a'))
      .toEqual([{type: 'remove', id: 'x', reason: 'stale'}, {type: 'remove', id: 'e', reason: 'left'}])
  })

  it('acts through the port on the reconcile interval only, and forgets its state when not the leader', async () => {
    const c = new FakeCluster()
    const ap = new Autopilot(c)
    for (const id of ['b', 'c', 'd', 'e']) c.healthyPeer(id, true)
    await ap.tick(0)
    c.gossip.e = known('e', 'failed')
    expect(await ap.tick(2000)).toEqual([])
    expect(ap.state()!.healthy).toBe(false)
    expect(await ap.tick(10_000)).toEqual([{type: 'remove', id: 'e', reason: 'failed'}])
    expect(c.voters.has('e')).toBe(false)
    c.leader = false
    expect(await ap.tick(12_000)).toEqual([])
    expect(ap.state()).toBeUndefined()
  })
})

describe('autopilot failures', () => {
  it('a failed configuration write or Raft change is logged, never thrown, and retried next round', async () => {
    const c = new FakeCluster()
    c.initConfig = async () => { throw new Error('No cluster leader') }
    const ap = new Autopilot(c)
    await expect(ap.tick(0)).resolves.toEqual([])
    expect(ap.state()).toBeUndefined()
    c.stored = {...DEFAULT_AUTOPILOT_CONFIG}
    c.healthyPeer('n', false)
    c.addVoter = async () => { throw new Error('busy') }
    await expect(ap.tick(1000)).resolves.toEqual([])
    expect(c.learners.has('n')).toBe(true)
  })
})
