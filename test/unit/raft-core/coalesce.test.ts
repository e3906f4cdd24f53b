import {describe, expect, it} from 'vitest'
import {coalesceMessages} from '../../../src/agent/raft/core/coalesce.js'
import {EntryType, MsgType, type Entry, type Message} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

const ent = (index: number, term: number, bytes = 4): Entry => ({index, term, type: EntryType.Normal, data: new Uint8Array(bytes)})
const app = (to: string, index: number, logTerm: number, entries: Entry[], commit: number, term = 2): Message => ({type: MsgType.App, from: '1', to, term, index, logTerm, entries, commit})
const ack = (to: string, index: number, extra: Partial<Message> = {}): Message => ({type: MsgType.AppResp, from: '2', to, term: 2, index, ...extra})
const shape = (ms: Message[]) => ms.map((m) => ({type: m.type, to: m.to, index: m.index, commit: m.commit, reject: m.reject, entries: m.entries?.map((e) => e.index)}))

describe('raft core: coalescing a Ready’s messages', () => {
  it('merges MsgApps that continue each other into one, with the higher commit', () => {
    const out = coalesceMessages([app('2', 10, 2, [ent(11, 2)], 9), app('2', 11, 2, [ent(12, 2)], 10), app('2', 12, 2, [], 11)], 1 << 20)
    expect(shape(out)).toEqual([{type: MsgType.App, to: '2', index: 10, commit: 11, reject: undefined, entries: [11, 12]}])
    expect(out[0]!.logTerm).toBe(2)
  })

  it('keeps MsgApps apart when they do not continue each other (a probe from a lower index, another term)', () => {
    const probe = [app('2', 10, 2, [ent(11, 2)], 9), app('2', 5, 1, [ent(6, 1)], 9)]
    expect(coalesceMessages(probe, 1 << 20)).toHaveLength(2)
    const wrongPrevTerm = [app('2', 10, 2, [ent(11, 3)], 9, 3), app('2', 11, 2, [ent(12, 3)], 9, 3)]
    expect(coalesceMessages(wrongPrevTerm, 1 << 20)).toHaveLength(2)
    const termChanged = [app('2', 10, 2, [ent(11, 2)], 9, 2), app('2', 11, 2, [ent(12, 3)], 9, 3)]
    expect(coalesceMessages(termChanged, 1 << 20)).toHaveLength(2)
  })

  it('keeps each peer’s order: never merges across another message to the same peer', () => {
    const hb: Message = {type: MsgType.Heartbeat, from: '1', to: '2', term: 2, commit: 9}
    const out = coalesceMessages([app('2', 10, 2, [ent(11, 2)], 9), hb, app('2', 11, 2, [ent(12, 2)], 9)], 1 << 20)
    expect(out.map((m) => m.type)).toEqual([MsgType.App, MsgType.Heartbeat, MsgType.App])
    // Messages to other peers in between do not matter.
    const two = coalesceMessages([app('2', 10, 2, [ent(11, 2)], 9), app('3', 10, 2, [ent(11, 2)], 9), app('2', 11, 2, [ent(12, 2)], 10), app('3', 11, 2, [ent(12, 2)], 10)], 1 << 20)
    expect(shape(two).map((m) => [m.to, m.entries])).toEqual([['2', [11, 12]], ['3', [11, 12]]])
  })

  it('stops merging at maxBytes of entries', () => {
    // 16 bytes of overhead + 4 of data per entry: two fit in 40, three do not.
    const out = coalesceMessages([app('2', 10, 2, [ent(11, 2)], 9), app('2', 11, 2, [ent(12, 2)], 9), app('2', 12, 2, [ent(13, 2)], 9)], 40)
    expect(shape(out).map((m) => m.entries)).toEqual([[11, 12], [13]])
  })

  it('keeps the highest of consecutive accepting MsgAppResps, and every rejection', () => {
    expect(shape(coalesceMessages([ack('1', 11), ack('1', 13), ack('1', 12)], 1 << 20))).toEqual([{type: MsgType.AppResp, to: '1', index: 13, commit: undefined, reject: undefined, entries: undefined}])
    const withReject = coalesceMessages([ack('1', 11), ack('1', 20, {reject: true, rejectHint: 11}), ack('1', 12)], 1 << 20)
    expect(withReject.map((m) => [m.index, m.reject ?? false])).toEqual([[11, false], [20, true], [12, false]])
  })

  it('a leader sends each follower one MsgApp per Ready however many proposals it took', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    const leader = net.node('1').raw
    for (const x of ['a', 'b', 'c', 'd']) leader.propose(new TextEncoder().encode(x))
    const rd = leader.ready()
    const apps = rd.messages.filter((m) => m.type === MsgType.App)
    expect(apps.map((m) => [m.to, m.entries?.length])).toEqual([['2', 4], ['3', 4]])
    net.persistAndApply(net.node('1'), rd)
    leader.advance(rd)
    net.stabilize()
    for (const id of ['1', '2', '3']) expect(net.appliedData(id)).toEqual(['a', 'b', 'c', 'd'])
    net.assertAppliedPrefixes()
  })
})
