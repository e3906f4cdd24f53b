import {describe, expect, it} from 'vitest'
import {Fsm, MessageType, encodeCommand} from '../../../src/store/fsm/index.js'
import {StateStore, WatchSet, dump, restore} from '../../../src/store/state/index.js'
import {DEFAULT_AUTOPILOT_CONFIG} from '../../../src/agent/server/autopilot/config.js'

describe('autopilot configuration in the state store', () => {
  it('keeps CreateIndex, moves ModifyIndex, and CAS writes only on a matching ModifyIndex', () => {
    const s = new StateStore()
    expect(s.autopilotConfig().value).toBeUndefined()
    // A CAS never creates the first configuration (Consul's AutopilotCASConfig).
    expect(s.autopilotCASConfig(3, 0, DEFAULT_AUTOPILOT_CONFIG)).toBe(false)
    s.autopilotSetConfig(5, DEFAULT_AUTOPILOT_CONFIG)
    expect(s.autopilotConfig()).toMatchObject({index: 5, value: {CreateIndex: 5, ModifyIndex: 5, MaxTrailingLogs: 250}})
    const ws = new WatchSet()
    s.autopilotConfig(ws)
    let woke = false
    s.hub.wait(ws, () => { woke = true })
    expect(s.autopilotCASConfig(7, 4, {...DEFAULT_AUTOPILOT_CONFIG, MinQuorum: 3})).toBe(false)
    expect(woke).toBe(false)
    expect(s.autopilotCASConfig(8, 5, {...DEFAULT_AUTOPILOT_CONFIG, MinQuorum: 3})).toBe(true)
    expect(woke).toBe(true)
    expect(s.autopilotConfig()).toMatchObject({index: 8, value: {CreateIndex: 5, ModifyIndex: 8, MinQuorum: 3}})
  })

  it('survives a snapshot and restore, and is applied by the FSM under Consul\'s message type 9', () => {
    const fsm = new Fsm()
    const data = encodeCommand({type: 'autopilot', config: {...DEFAULT_AUTOPILOT_CONFIG, CleanupDeadServers: false}})
    expect(data[0]).toBe(MessageType.Autopilot)
    expect(MessageType.Autopilot).toBe(9)
    expect(fsm.apply(4, 1, data)).toBe(true)
    expect(fsm.apply(5, 1, encodeCommand({type: 'autopilot', config: DEFAULT_AUTOPILOT_CONFIG, cas: 3}))).toBe(false)
    expect(fsm.apply(6, 1, encodeCommand({type: 'autopilot', config: DEFAULT_AUTOPILOT_CONFIG, cas: 4}))).toBe(true)
    const back = restore(dump(fsm.state))
    expect(back.autopilotConfig()).toEqual(fsm.state.autopilotConfig())
    expect(back.autopilotConfig().value).toMatchObject({CleanupDeadServers: true, CreateIndex: 4, ModifyIndex: 6})
    // A restored store still CASes against the restored ModifyIndex.
    expect(back.autopilotCASConfig(9, 6, DEFAULT_AUTOPILOT_CONFIG)).toBe(true)
    const other = new Fsm()
    other.restore(fsm.snapshot(), 6, 1)
    expect(other.state.autopilotConfig().value?.ModifyIndex).toBe(6)
  })
})
