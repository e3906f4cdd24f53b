import {describe, expect, it} from 'vitest'
import {MemoryStorage, MsgType, ProposalDroppedError, RawNode} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

const enc = new TextEncoder()

describe('raft core: single voter', () => {
  it('elects itself on its first election timeout and commits its entries after persistence', () => {
    const net = new Network(['1'], {electionTicks: 10})
    // Randomized timeout is in [10, 20): nothing before 10 ticks.
    net.tick(9)
    expect(net.status('1').role).toBe('follower')
    net.tick(11)
    expect(net.status('1').role).toBe('leader')
    expect(net.status('1').term).toBe(2) // bootstrap term 1, first election term 2
    // The leader's empty entry (index 2, after the bootstrap snapshot at 1) is committed.
    expect(net.status('1').commit).toBe(2)
    net.propose('1', 'a')
    net.propose('1', 'b')
    expect(net.appliedData('1')).toEqual(['a', 'b'])
  })

  it('campaign() elects at once; own entries commit only after the Ready carrying them is advanced', () => {
    const storage = new MemoryStorage()
    const net = new Network(['1'])
    net.campaign('1')
    expect(net.status('1').role).toBe('leader')
    const raw = net.node('1').raw
    raw.propose(enc.encode('x'))
    const rd = raw.ready()
    expect(rd.entries.map((e) => e.index)).toEqual([3])
    expect(rd.committedEntries).toEqual([])
    expect(rd.mustSync).toBe(true)
    expect(raw.status().commit).toBe(2)
    // Not persisted yet: no commit. Persist, then advance → own ack counted → commit.
    net.persistAndApply(net.node('1'), rd)
    raw.advance(rd)
    expect(raw.status().commit).toBe(3)
    const rd2 = raw.ready()
    expect(rd2.committedEntries.map((e) => e.index)).toEqual([3])
    expect(rd2.hardState?.commit).toBe(3)
    raw.advance(rd2)
    expect(storage.lastIndex()).toBe(0) // untouched spare storage (sanity for the helper)
  })

  it('a node with an empty membership never campaigns', () => {
    const net = new Network([])
    const n = net.addNode('x')
    net.tick(50)
    n.raw.campaign()
    net.stabilize()
    expect(n.raw.status().role).toBe('follower')
    expect(n.raw.status().term).toBe(0)
  })

  it('ready() twice without advance() is refused', () => {
    const net = new Network(['1'])
    const raw = net.node('1').raw
    raw.campaign()
    const rd = raw.ready()
    expect(raw.hasReady()).toBe(false)
    expect(() => raw.ready()).toThrow(/advance/)
    raw.advance(rd)
  })
})

describe('raft core: elections', () => {
  for (const size of [3, 5]) {
    it(`elects exactly one leader among ${size} nodes and everyone follows it`, () => {
      const ids = Array.from({length: size}, (_, i) => String(i + 1))
      const net = new Network(ids, {seed: size})
      net.tick(25)
      const lead = net.leader()
      for (const id of ids) {
        expect(net.status(id).lead).toBe(lead)
        expect(net.status(id).term).toBe(net.status(lead).term)
      }
      // Every node applied the leader's empty entry.
      for (const id of ids) expect(net.status(id).applied).toBe(2)
    })
  }

  it('campaign() on a chosen node makes it leader (pre-vote then vote)', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('2')
    expect(net.leader()).toBe('2')
    const kinds = new Set(net.sent.map((m) => m.type))
    expect(kinds.has(MsgType.PreVote)).toBe(true)
    expect(kinds.has(MsgType.Vote)).toBe(true)
  })

  it('without pre-vote a campaign goes straight to a vote', () => {
    const net = new Network(['1', '2', '3'], {preVote: false})
    net.campaign('1')
    expect(net.leader()).toBe('1')
    expect(net.sent.some((m) => m.type === MsgType.PreVote)).toBe(false)
  })

  it('a candidate whose log is behind cannot win (§5.4.1)', () => {
    // No check-quorum: votes are refused for the log alone, not because of a lease.
    for (const preVote of [true, false]) {
      const net = new Network(['1', '2', '3'], {checkQuorum: false, preVote})
      net.campaign('1')
      net.isolate('3')
      net.propose('1', 'a')
      net.recover()
      net.isolate('1')
      // 3 missed 'a': 2 refuses it.
      net.campaign('3')
      expect(net.status('3').role).not.toBe('leader')
      net.campaign('2')
      expect(net.status('2').role).toBe('leader')
      expect(net.status('3').lead).toBe('2')
    }
  })

  it('pre-vote keeps a rejoining partitioned node from disrupting the term', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    const term = net.status('1').term
    net.isolate('3')
    // 3 times out again and again: with pre-vote it never raises its term.
    net.tick(100, ['3'])
    expect(net.status('3').term).toBe(term)
    expect(net.status('3').role).toBe('precandidate')
    net.recover()
    net.tick(5)
    expect(net.leader()).toBe('1')
    expect(net.status('1').term).toBe(term)
    expect(net.status('3').lead).toBe('1')
    expect(net.status('3').role).toBe('follower')
  })

  it('without pre-vote (and without check-quorum) a rejoining node does bump the term', () => {
    const net = new Network(['1', '2', '3'], {preVote: false, checkQuorum: false})
    net.campaign('1')
    const term = net.status('1').term
    net.isolate('3')
    net.tick(30, ['3'])
    expect(net.status('3').term).toBeGreaterThan(term)
    net.recover()
    net.tick(30)
    expect(net.status(net.leader()).term).toBeGreaterThan(term)
  })

  it('check-quorum: a leader that cannot hear a quorum steps down within two election timeouts', () => {
    const net = new Network(['1', '2', '3'], {electionTicks: 10})
    net.campaign('1')
    net.tick(3)
    net.isolate('1')
    // The round in progress still counts the answers heard before the cut...
    net.tick(7, ['1'])
    expect(net.status('1').role).toBe('leader')
    // ...the next full round hears nobody.
    net.tick(10, ['1'])
    expect(net.status('1').role).toBe('follower')
    expect(net.status('1').lead).toBe('')
  })

  it('without check-quorum an isolated leader keeps believing it leads', () => {
    const net = new Network(['1', '2', '3'], {checkQuorum: false})
    net.campaign('1')
    net.isolate('1')
    net.tick(50, ['1'])
    expect(net.status('1').role).toBe('leader')
  })

  it('check-quorum leases: followers that hear a leader ignore a higher-term vote request', () => {
    const net = new Network(['1', '2', '3'], {preVote: false})
    net.campaign('1')
    const term = net.status('1').term
    // A vote request from the future (e.g. a removed server) while 2 is in its lease.
    net.node('2').raw.step({type: MsgType.Vote, from: '3', to: '2', term: term + 5, index: 100, logTerm: term + 4})
    net.stabilize()
    expect(net.status('2').term).toBe(term)
    expect(net.status('2').lead).toBe('1')
  })

  it('a stale leader steps down when it hears a higher term after a partition heals', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.isolate('1')
    // 2 and 3 leave their lease and elect a new leader; 1 (not ticked) still leads term 2.
    net.tick(25, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    expect(['2', '3']).toContain(lead)
    expect(net.leaders().sort()).toEqual(['1', lead].sort()) // in different terms
    expect(net.status(lead).term).toBeGreaterThan(net.status('1').term)
    net.recover()
    net.tick(2)
    expect(net.leader()).toBe(lead)
    expect(net.status('1').term).toBe(net.status(lead).term)
    expect(net.status('1').lead).toBe(lead)
  })

  it('proposals to a follower are dropped with ProposalDroppedError', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    expect(() => net.node('2').raw.propose(enc.encode('x'))).toThrow(ProposalDroppedError)
  })

  it('restart keeps term and vote; a restarted follower rejoins the same leader', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    const before = net.status('2')
    net.restart('2')
    const after = net.status('2')
    expect(after.term).toBe(before.term)
    expect(after.vote).toBe(before.vote)
    expect(after.commit).toBe(before.commit)
    net.propose('1', 'b')
    expect(net.appliedData('2')).toEqual(['a', 'b'])
    net.assertAppliedPrefixes()
  })

  it('RawNode validates its config', () => {
    const storage = new MemoryStorage()
    expect(() => new RawNode({id: '1', storage, randomInt: () => 0, electionTicks: 1, heartbeatTicks: 1})).toThrow(/heartbeatTicks/)
    expect(() => new RawNode({id: '', storage, randomInt: () => 0})).toThrow(/id/)
  })
})
