import {describe, expect, it} from 'vitest'
import {MsgType, ProposalDroppedError} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

describe('raft core: ReadIndex', () => {
  it('a single-voter leader answers at once with its commit index', () => {
    const net = new Network(['1'])
    net.campaign('1')
    net.propose('1', 'a')
    net.node('1').raw.readIndex('r1')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 3, context: 'r1'}])
  })

  it('a new leader answers only after committing an entry of its term', () => {
    const net = new Network(['1'])
    const n = net.node('1')
    n.raw.campaign()
    // Persist the vote; the self-vote is counted in advance() → leader, no-op not committed yet.
    net.processReady('1')
    expect(n.raw.status().role).toBe('leader')
    expect(n.raw.status().commit).toBe(1)
    n.raw.readIndex('early')
    net.processReady('1')
    expect(n.readStates).toEqual([])
    net.stabilize()
    expect(n.readStates).toEqual([{index: 2, context: 'early'}])
  })

  it('on 3 nodes the leader confirms with a heartbeat quorum round', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    const before = net.sent.length
    net.node('1').raw.readIndex('ctx-1')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 3, context: 'ctx-1'}])
    const beats = net.sent.slice(before).filter((m) => m.type === MsgType.Heartbeat)
    expect(beats.every((m) => m.context === 'ctx-1')).toBe(true)
    expect(beats).toHaveLength(2)
  })

  it('without a quorum of acknowledgements there is no answer', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('x')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([])
    // One follower answering is enough (leader + 1 of 3).
    net.recover()
    net.drop('3', '1', 1)
    net.tick(1)
    expect(net.node('1').readStates).toEqual([{index: 2, context: 'x'}])
  })

  it('a deposed leader that does not know it yet cannot serve a stale read', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.isolate('1')
    net.tick(30, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    net.propose(lead, 'b')
    net.node('1').raw.readIndex('stale?')
    net.tick(3, ['1'])
    expect(net.node('1').readStates).toEqual([])
    net.recover()
    net.tick(3)
    expect(net.node('1').readStates).toEqual([])
    expect(net.status('1').role).toBe('follower')
  })

  it('a follower forwards to the leader and gets the leader commit index back', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.node('2').raw.readIndex('f')
    net.stabilize()
    expect(net.node('2').readStates).toEqual([{index: 3, context: 'f'}])
    expect(net.node('1').readStates).toEqual([])
  })

  it('several pending reads are confirmed by one round', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('a')
    net.stabilize()
    net.propose('1', 'w')
    net.node('1').raw.readIndex('b')
    net.stabilize()
    net.recover()
    net.tick(1)
    expect(net.node('1').readStates).toEqual([
      {index: 2, context: 'a'},
      {index: 3, context: 'b'},
    ])
  })

  it('without a known leader readIndex throws ProposalDroppedError', () => {
    const net = new Network(['1', '2', '3'])
    expect(() => net.node('1').raw.readIndex('x')).toThrow(ProposalDroppedError)
  })

  it("readOnly 'lease' answers from the leader lease without a heartbeat round", () => {
    const net = new Network(['1', '2', '3'], {readOnly: 'lease'})
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('l')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 2, context: 'l'}])
  })
})

describe('raft core: leader read lease (leaseStamp)', () => {
  /** Plays the driver's part: stamps each heartbeat with a counter as it leaves. */
  function stamping(net: Network): {now: number} {
    const clock = {now: 0}
    net.hook = (m) => (m.type === MsgType.Heartbeat ? {...m, stamp: clock.now} : true)
    return clock
  }

  it('is the oldest stamp a voter quorum echoed, after a commit in the term', () => {
    const net = new Network(['1', '2', '3'])
    const clock = stamping(net)
    net.campaign('1')
    expect(net.node('1').raw.leaseStamp()).toBeUndefined() // no heartbeat echoed yet
    clock.now = 10
    net.tick(1, ['1'])
    expect(net.node('1').raw.leaseStamp()).toBe(10)
    // Only '2' answers the next heartbeat: the quorum {1, 2} still echoed 20; '3' is not needed.
    net.cut('1', '3')
    clock.now = 20
    net.tick(1, ['1'])
    expect(net.node('1').raw.leaseStamp()).toBe(20)
    // Isolated: the stamp stays where the quorum left it; the driver lets it age out.
    net.cut('1', '2')
    clock.now = 30
    net.tick(1, ['1'])
    expect(net.node('1').raw.leaseStamp()).toBe(20)
    expect(net.node('2').raw.leaseStamp()).toBeUndefined() // followers hold none
  })

  it('a single voter always holds it once its term has a commit', () => {
    const net = new Network(['1'])
    net.campaign('1')
    expect(net.node('1').raw.leaseStamp()).toBe(Infinity)
  })

  it('is void for the rest of the term once a MsgTimeoutNow was sent, even if the transfer is abandoned', () => {
    const net = new Network(['1', '2', '3'])
    const clock = stamping(net)
    net.campaign('1')
    clock.now = 5
    net.tick(1, ['1'])
    expect(net.node('1').raw.leaseStamp()).toBe(5)
    net.ignore(MsgType.TimeoutNow)
    net.node('1').raw.transferLeadership('2')
    net.stabilize()
    expect(net.node('1').raw.leaseStamp()).toBeUndefined()
    net.tick(12, ['1']) // the transfer is given up; the MsgTimeoutNow may still be on the wire
    expect(net.leader()).toBe('1')
    expect(net.node('1').raw.leaseStamp()).toBeUndefined()
  })

  it('with leaseOnStart a restarted voter ignores vote requests for an election timeout', () => {
    const net = new Network(['1', '2', '3'], {leaseOnStart: true})
    net.tick(10) // past the start-up quiet period
    net.campaign('1')
    expect(net.leader()).toBe('1')
    // '2' acknowledged '1', then restarts and forgets it; '3' campaigns (pre-vote off, to be direct).
    net.restart('2', {leaseOnStart: true, preVote: false})
    net.isolate('1')
    net.node('3').raw.campaign()
    net.stabilize()
    expect(net.status('3').role).not.toBe('leader')
    expect(net.status('2').term).toBe(net.status('1').term)
    net.tick(10, ['2'])
    net.node('3').raw.campaign()
    net.stabilize()
    expect(net.status('3').role).toBe('leader')
  })
})
