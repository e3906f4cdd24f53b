import {describe, expect, it} from 'vitest'
import {MsgType} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

describe('raft core: log replication', () => {
  it('replicates and commits on a quorum; every node applies the same sequence', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    for (const x of ['a', 'b', 'c']) net.propose('1', x)
    for (const id of ['1', '2', '3']) {
      expect(net.appliedData(id)).toEqual(['a', 'b', 'c'])
      expect(net.node(id).storage.lastIndex()).toBe(5)
    }
    net.assertAppliedPrefixes()
  })

  it('commits with one follower down, and the follower catches up when it returns', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.isolate('3')
    net.propose('1', 'a')
    net.propose('1', 'b')
    expect(net.appliedData('1')).toEqual(['a', 'b'])
    expect(net.appliedData('3')).toEqual([])
    net.recover()
    net.tick(1) // a heartbeat reveals the gap; the leader sends what is missing
    expect(net.appliedData('3')).toEqual(['a', 'b'])
  })

  it('a partitioned minority cannot commit, even with a leader', () => {
    const net = new Network(['1', '2', '3', '4', '5'])
    net.campaign('1')
    net.partition(['1', '2'], ['3', '4', '5'])
    net.propose('1', 'lost')
    expect(net.status('1').commit).toBe(2)
    expect(net.appliedData('1')).toEqual([])
    // The majority side elects its own leader and commits.
    net.tick(30, ['3', '4', '5'])
    const lead = net.leaders().find((id) => ['3', '4', '5'].includes(id))!
    net.propose(lead, 'kept')
    expect(net.appliedData(lead)).toEqual(['kept'])
    net.recover()
    net.tick(3)
    expect(net.leader()).toBe(lead)
    for (const id of ['1', '2', '3', '4', '5']) expect(net.appliedData(id)).toEqual(['kept'])
    net.assertAppliedPrefixes()
  })

  it('after isolating the leader a new one is elected and logs agree afterwards', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.isolate('1')
    net.tick(30, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    net.propose(lead, 'b')
    net.recover()
    net.tick(3)
    net.propose(lead, 'c')
    for (const id of ['1', '2', '3']) expect(net.appliedData(id)).toEqual(['a', 'b', 'c'])
    const logs = ['1', '2', '3'].map((id) => net.node(id).storage.entries(2, net.node(id).storage.lastIndex() + 1))
    expect(logs[1]).toEqual(logs[0])
    expect(logs[2]).toEqual(logs[0])
  })

  it('repairs a conflicting uncommitted suffix on an old leader when it rejoins', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.isolate('1')
    // The old leader appends entries nobody else gets.
    for (const x of ['x1', 'x2', 'x3']) net.propose('1', x)
    expect(net.node('1').storage.lastIndex()).toBe(6)
    net.tick(30, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    net.propose(lead, 'b')
    net.recover()
    net.tick(3)
    net.propose(lead, 'c')
    for (const id of ['1', '2', '3']) expect(net.appliedData(id)).toEqual(['a', 'b', 'c'])
    const payloads = net.node('1').storage.entries(2, net.node('1').storage.lastIndex() + 1).map((e) => new TextDecoder().decode(e.data))
    expect(payloads).not.toContain('x1')
    net.assertAppliedPrefixes()
  })

  it('backtracks over a long divergent suffix in few round trips (reject hints)', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.isolate('1')
    for (let i = 0; i < 50; i++) net.propose('1', `stale${i}`)
    net.tick(30, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    for (let i = 0; i < 50; i++) net.propose(lead, `new${i}`)
    const before = net.sent.length
    net.recover()
    net.tick(2)
    const rejects = net.sent.slice(before).filter((m) => m.type === MsgType.AppResp && m.reject && m.from === '1')
    // One-entry-at-a-time backtracking would need ~50 rejections.
    expect(rejects.length).toBeLessThanOrEqual(3)
    expect(net.appliedData('1')).toEqual(Array.from({length: 50}, (_, i) => `new${i}`))
  })

  it('never commits an old-term entry by counting replicas (§5.4.2, Figure 8)', () => {
    const net = new Network(['1', '2', '3', '4', '5'], {preVote: false, checkQuorum: false, maxSizePerMsg: 1})
    const campaignUntilLeader = (id: string) => {
      for (let i = 0; i < 5 && net.status(id).role !== 'leader'; i++) net.campaign(id)
      expect(net.status(id).role).toBe('leader')
    }
    net.campaign('1') // term 2, no-op at index 2 committed everywhere
    // (a) 1 replicates 'old' (index 3, term 2) to 2 only.
    net.partition(['1', '2'], ['3', '4', '5'])
    net.propose('1', 'old')
    // (b) 5 wins term 3 with 3 and 4 but its appends go nowhere.
    net.recover()
    net.isolate('1')
    net.isolate('2')
    net.hook = (m) => !(m.from === '5' && m.type === MsgType.App)
    campaignUntilLeader('5')
    // (c) 1 restarts (it still led term 2), leads term 4 and spreads 'old' to a majority,
    // but not its own term-4 entry.
    net.recover()
    net.isolate('5')
    net.restart('1')
    // Strip the term-4 entry from 1's appends so only 'old' travels.
    net.hook = (m) => (m.from === '1' && m.type === MsgType.App ? {...m, entries: (m.entries ?? []).filter((e) => e.index < 4)} : true)
    campaignUntilLeader('1')
    const replicas = ['1', '2', '3', '4'].filter((id) => net.node(id).storage.lastIndex() >= 3 && net.node(id).storage.term(3) === 2)
    expect(replicas.length).toBeGreaterThanOrEqual(3)
    expect(net.status('1').commit).toBe(2) // a majority holds 'old', yet it is not committed
    expect(net.status('1').term).toBe(4)
    // (d) 1 crashes; 5 restarts (it still led term 3), and with its last term 3 it wins
    // and overwrites 'old' everywhere.
    net.recover()
    net.isolate('1')
    net.restart('1')
    net.restart('5')
    campaignUntilLeader('5')
    expect(net.status('5').term).toBe(5)
    net.propose('5', 'new')
    net.recover()
    net.tick(3)
    for (const id of ['1', '2', '3', '4', '5']) expect(net.appliedData(id)).toEqual(['new'])
    net.assertAppliedPrefixes()
  })

  it('flow control: a slow follower gets at most maxInflightMsgs appends in flight', () => {
    const net = new Network(['1', '2', '3'], {maxInflightMsgs: 2, maxSizePerMsg: 1})
    net.campaign('1')
    // Hold back everything 1 sends to 3 and every answer from 3.
    net.cut('1', '3')
    const before = net.sent.length
    const raw = net.node('1').raw
    for (let i = 0; i < 10; i++) raw.propose(new TextEncoder().encode(`p${i}`))
    net.stabilize()
    const appsTo3 = net.sent.slice(before).filter((m) => m.type === MsgType.App && m.to === '3')
    expect(appsTo3.length).toBeLessThanOrEqual(2)
    expect(net.status('1').progress!['3']!.state).toBe('replicate')
    net.recover()
    net.tick(3)
    expect(net.appliedData('3')).toHaveLength(10)
  })
})

describe('raft core: snapshots', () => {
  it('sends a snapshot to a follower that needs compacted entries', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.isolate('3')
    for (let i = 0; i < 10; i++) net.propose('1', `v${i}`)
    net.snapshotAndCompact('1')
    expect(net.node('1').storage.firstIndex()).toBe(13)
    net.recover()
    net.tick(2)
    expect(net.sent.some((m) => m.type === MsgType.Snap && m.to === '3')).toBe(true)
    expect(net.node('3').storage.snapshot().meta.index).toBe(12)
    expect(net.appliedData('3')).toEqual(Array.from({length: 10}, (_, i) => `v${i}`))
    // Replication continues normally after the snapshot.
    net.propose('1', 'after')
    expect(net.appliedData('3').at(-1)).toBe('after')
    expect(net.status('1').progress!['3']!.state).toBe('replicate')
    net.assertAppliedPrefixes()
  })

  it('a lost snapshot is retried after the transport reports the failure', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.isolate('3')
    for (let i = 0; i < 5; i++) net.propose('1', `v${i}`)
    net.snapshotAndCompact('1')
    net.recover()
    net.ignore(MsgType.Snap)
    net.tick(3)
    expect(net.appliedData('3')).toEqual([])
    expect(net.status('1').progress!['3']!.state).toBe('probe')
    net.recover()
    net.tick(3)
    expect(net.appliedData('3')).toHaveLength(5)
  })

  it('a restarted node rebuilds from its snapshot and replays the rest', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    for (let i = 0; i < 4; i++) net.propose('1', `v${i}`)
    net.snapshotAndCompact('2')
    net.propose('1', 'tail')
    net.restart('2')
    net.stabilize()
    expect(net.appliedData('2')).toEqual(['v0', 'v1', 'v2', 'v3', 'tail'])
    net.tick(3)
    net.propose('1', 'more')
    expect(net.appliedData('2').at(-1)).toBe('more')
  })

  it('takeHeartbeats hands a leader’s pending heartbeats out of the next Ready (and nothing elsewhere)', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    const leader = net.node('1').raw
    leader.propose(new TextEncoder().encode('x'))
    leader.tick() // heartbeatTicks 1: a heartbeat round now, queued behind the append
    const beats = leader.takeHeartbeats()
    expect(beats.map((m) => [m.type, m.to]).sort()).toEqual([[MsgType.Heartbeat, '2'], [MsgType.Heartbeat, '3']])
    const rd = leader.ready()
    expect(rd.messages.some((m) => m.type === MsgType.Heartbeat)).toBe(false)
    expect(rd.messages.some((m) => m.type === MsgType.App)).toBe(true)
    expect(net.node('2').raw.takeHeartbeats()).toEqual([])
  })
})
