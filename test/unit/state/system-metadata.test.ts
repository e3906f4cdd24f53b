import {describe, expect, it} from 'vitest'
import {Fsm} from '../../../src/store/fsm/fsm.js'
import {encodeCommand, IGNORE_UNKNOWN_FLAG, MessageType, type Command} from '../../../src/store/fsm/commands.js'
import {StateError} from '../../../src/store/state/errors.js'
import {dump, restore, summarize} from '../../../src/store/state/snapshot.js'
import {StateStore} from '../../../src/store/state/store.js'

describe('system metadata (Consul\'s table of the servers\' own key/values)', () => {
  it('upsert keeps CreateIndex; create writes only an absent key; delete removes; each bumps the table index', () => {
    const s = new StateStore()
    expect(s.systemMetadataSet(3, {Key: 'k', Value: 'a'}, true)).toBe(true)
    expect(s.systemMetadataSet(4, {Key: 'k', Value: 'b'}, true)).toBe(false)
    expect(s.systemMetadataGet('k')).toEqual({index: 3, entry: {Key: 'k', Value: 'a', CreateIndex: 3, ModifyIndex: 3}})
    expect(s.systemMetadataSet(5, {Key: 'k', Value: 'c'})).toBe(true)
    expect(s.systemMetadataGet('k')).toEqual({index: 5, entry: {Key: 'k', Value: 'c', CreateIndex: 3, ModifyIndex: 5}})
    s.systemMetadataDelete(6, 'k')
    expect(s.systemMetadataGet('k')).toEqual({index: 6, entry: undefined})
    expect(s.kvList('').entries).toEqual([])
  })

  it('is applied through the FSM as type 31, always marked ignorable so older servers skip it', () => {
    const cmd: Command = {type: 'system-metadata', op: 'create', entry: {Key: 'cluster-id', Value: 'x'}}
    const bytes = encodeCommand(cmd)
    expect(bytes[0]).toBe(MessageType.SystemMetadata | IGNORE_UNKNOWN_FLAG)
    expect(MessageType.SystemMetadata).toBe(31)
    const fsm = new Fsm()
    expect(fsm.apply(1, 1, bytes)).toBe(true)
    expect(fsm.apply(2, 1, bytes)).toBe(false)
    expect(fsm.apply(3, 1, encodeCommand({type: 'system-metadata', op: 'delete', entry: {Key: 'cluster-id'}}))).toBe(true)
    expect(fsm.state.systemMetadataGet('cluster-id').entry).toBeUndefined()
    expect(fsm.apply(4, 1, encodeCommand({type: 'system-metadata', op: 'upsert', entry: {Key: '', Value: 'x'}}))).toBeInstanceOf(StateError)
  })

  it('travels in snapshots, and a store without it dumps and summarizes as before', () => {
    const empty = new StateStore()
    expect(new TextDecoder().decode(dump(empty))).not.toContain('systemMetadata')
    expect(summarize(dump(empty)).types.map((t) => t.type)).not.toContain('SystemMetadata')
    const s = new StateStore()
    s.systemMetadataSet(7, {Key: 'cluster-id', Value: 'abc'})
    const back = restore(dump(s))
    expect(back.systemMetadataGet('cluster-id')).toEqual({index: 7, entry: {Key: 'cluster-id', Value: 'abc', CreateIndex: 7, ModifyIndex: 7}})
    expect(dump(back)).toEqual(dump(s))
    expect(summarize(dump(s)).types.find((t) => t.type === 'SystemMetadata')?.count).toBe(1)
  })
})
