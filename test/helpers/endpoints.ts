import type {Env} from '../../src/agent/env/types.js'
import {createEndpoints, localDelegate, type RpcDelegate} from '../../src/agent/server/endpoints/index.js'
import type {Command} from '../../src/store/fsm/commands.js'
import type {StateStore} from '../../src/store/state/store.js'

/**
 * The real server endpoints over a test's store and apply function (an FSM applied
 * in process standing in for Raft), behind the same local delegate the agent uses.
 */
export function testRpc(env: Env, state: () => StateStore, apply: (cmd: Command) => Promise<unknown>, datacenter = 'dc1'): RpcDelegate {
  return localDelegate(createEndpoints({
    server: {state, apply, isLeader: () => true, hasLeader: () => true, lastContactMs: () => 0, verifyLeader: async () => {}, leaseRead: async () => {}},
    env,
    datacenter,
    defaultQueryTimeMs: 300_000,
    maxQueryTimeMs: 600_000,
    raft: {leaderAddress: () => '', peers: () => [], configuration: () => ({Servers: [], Index: 0})},
    sessionTimers: {reset: () => {}, clear: () => {}},
    coordinates: {update: () => {}, datacenters: () => []},
  }))
}
