import {describe, expect, it} from 'vitest'
import {bootstrapSnapshot} from '../../../src/agent/raft/core/index.js'
import {recoverCluster} from '../../../src/agent/raft/recover.js'
import {parsePeersJson} from '../../../src/agent/server/peers-json.js'
import {Fsm, encodeCommand} from '../../../src/store/fsm/index.js'
import {MemoryRaftStore} from '../../../src/store/raft/memory-store.js'

const kv = (k: string) => encodeCommand({type: 'kv', op: 'set', entry: {Key: k, Value: new TextEncoder().encode(k)}, now: 0})

describe('recoverCluster (peers.json)', () => {
  it('keeps every logged command, replaces the membership, and drops the old log', () => {
    const store = new MemoryRaftStore()
    store.persist({snapshot: bootstrapSnapshot(['a', 'b', 'c']), entries: []})
    // Entry 3 is not committed: recovery keeps it anyway (the operator chose this log).
    store.persist({entries: [{index: 2, term: 2, type: 0, data: kv('x')}, {index: 3, term: 2, type: 0, data: kv('y')}], hardState: {term: 2, vote: 'a', commit: 2}})
    expect(recoverCluster(store, new Fsm(), {voters: ['a'], learners: ['d']})).toEqual({index: 3, term: 2})
    const snap = store.latestSnapshot()!
    expect(snap.meta).toEqual({index: 3, term: 2, conf: {voters: ['a'], learners: ['d']}})
    expect(store.firstIndex()).toBe(4)
    expect(store.initialState().hardState).toEqual({term: 2, vote: 'a', commit: 3})
    const fsm = new Fsm()
    fsm.restore(snap.data, 3, 2)
    expect(fsm.state.kvList('').entries.map((e) => e.Key)).toEqual(['x', 'y'])
  })

  it('with nothing after the latest snapshot, recovers one index past it over an empty entry', () => {
    const store = new MemoryRaftStore()
    store.persist({snapshot: bootstrapSnapshot(['a', 'b']), entries: []})
    const at = recoverCluster(store, new Fsm(), {voters: ['b'], learners: []})
    expect(at.index).toBe(store.latestSnapshot()!.meta.index)
    expect(at.index).toBe(2)
    expect(store.latestSnapshot()!.meta.conf.voters).toEqual(['b'])
  })

  it('refuses a membership without voters, and malformed peers.json with the reason', () => {
    expect(() => recoverCluster(new MemoryRaftStore(), new Fsm(), {voters: [], learners: ['a']})).toThrow('need at least one voter in configuration')
    expect(parsePeersJson('[{"id":"a","address":"1.2.3.4:8300","non_voter":false},{"id":"b","address":"1.2.3.5:8300","non_voter":true}]'))
      .toEqual([{id: 'a', address: '1.2.3.4:8300', nonVoter: false}, {id: 'b', address: '1.2.3.5:8300', nonVoter: true}])
    expect(() => parsePeersJson('{}')).toThrow('expected a JSON array')
    expect(() => parsePeersJson('[{"id":"a","address":"x"},{"id":"a","address":"y"}]')).toThrow('found duplicate ID in configuration: (a)')
    expect(() => parsePeersJson('[{"id":"a","address":"x","non_voter":true}]')).toThrow('need at least one voter in configuration')
    expect(() => parsePeersJson('not json')).toThrow('Fix or delete the file and start again')
  })
})
