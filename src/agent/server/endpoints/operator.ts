import type {AutopilotConfig, AutopilotConfigInput} from '../../../store/state/types.js'
import type {AutopilotState} from '../autopilot/types.js'
import {serfStatusName} from '../autopilot/known-servers.js'
import {EndpointError} from './errors.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** Consul's structs.RaftServer. Node and Address are '' when gossip does not know the server. */
export interface RaftServer {
  ID: string
  Node: string
  Address: string
  Leader: boolean
  Voter: boolean
  ProtocolVersion: string
}

export interface RaftConfigurationResponse {
  Servers: RaftServer[]
  Index: number
}

/**
 * What the Operator endpoints need of the server's Raft and autopilot; the server passes
 * operatorPort() (server/operator-port.ts). Errors thrown are EndpointErrors with
 * Consul's messages.
 */
export interface OperatorPort {
  configuration(): RaftConfigurationResponse
  /** Removes a server by Raft id (refuses ids not in the configuration and the last voter). */
  removePeer(id: string): Promise<void>
  /** The Raft id of the server at "ip:port", if any is in the configuration. */
  idByAddress(address: string): string | undefined
  /** Hands leadership to voter `id` ('' = let Raft pick the most up-to-date voter); resolves once it moved. */
  transferLeader(id: string): Promise<void>
  /** The leader's autopilot state; undefined before its first tick. */
  autopilotState(): AutopilotState | undefined
}

/** Consul's ServerHealth reply, durations in ms and times in wall ms (HTTP renders them). */
export interface ServerHealthReply {
  Healthy: boolean
  FailureTolerance: number
  Servers: {
    ID: string
    Name: string
    Address: string
    SerfStatus: string
    Version: string
    Leader: boolean
    LastContactMs: number
    LastTerm: number
    LastIndex: number
    Healthy: boolean
    Voter: boolean
    StableSinceWallMs: number
  }[]
}

export interface AutopilotSetConfigRequest {
  Datacenter?: string
  Config: AutopilotConfigInput & {ModifyIndex?: number}
  /** Check-and-set on Config.ModifyIndex. */
  CAS?: boolean
}

export function operatorEndpoints(d: EndpointDeps, op: OperatorPort | undefined) {
  const port = (): OperatorPort => {
    if (!op) throw new EndpointError('internal', 'Operator endpoints are not available on this server')
    return op
  }
  /** Leader-only operations (Consul forwards them to the leader). */
  const onLeader = (q: {Datacenter?: string; AllowStale?: boolean} | undefined, allowStale = false): OperatorPort => {
    checkDc(d, q?.Datacenter)
    if (!(allowStale && q?.AllowStale) && !d.server.isLeader()) throw new EndpointError('no-leader', 'No cluster leader')
    return port()
  }
  return {
    /** The Raft configuration; with AllowStale any server answers from its own copy. */
    'Operator.RaftGetConfiguration': async (q?: QueryOptions): Promise<RaftConfigurationResponse> => onLeader(q, true).configuration(),

    'Operator.RaftRemovePeerByID': async (r: {Datacenter?: string; ID: string}): Promise<void> => {
      await onLeader(r).removePeer(r.ID)
    },

    'Operator.RaftRemovePeerByAddress': async (r: {Datacenter?: string; Address: string}): Promise<void> => {
      const p = onLeader(r)
      const id = p.idByAddress(r.Address)
      if (id === undefined) throw new EndpointError('internal', `address "${r.Address}" was not found in the Raft configuration`)
      await p.removePeer(id)
    },

    /** Consul's OperatorService.TransferLeader: {Success} once leadership moved. */
    'Operator.RaftTransferLeader': async (r: {Datacenter?: string; ID?: string}): Promise<{Success: boolean}> => {
      await onLeader(r).transferLeader(r.ID ?? '')
      return {Success: true}
    },

    'Operator.AutopilotGetConfiguration': async (q?: QueryOptions, signal?: AbortSignal): Promise<Read<AutopilotConfig>> => {
      const r = await query(d, q, (s, ws) => s.autopilotConfig(ws), signal)
      if (!r.value) throw new EndpointError('internal', 'autopilot config not initialized yet')
      return {value: r.value, meta: r.meta}
    },

    /** true, or with CAS whether the stored ModifyIndex matched and the write happened. */
    'Operator.AutopilotSetConfiguration': async (r: AutopilotSetConfigRequest): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      const c = r.Config
      const config: AutopilotConfigInput = {
        CleanupDeadServers: c.CleanupDeadServers,
        LastContactThresholdMs: c.LastContactThresholdMs,
        MaxTrailingLogs: c.MaxTrailingLogs,
        MinQuorum: c.MinQuorum,
        ServerStabilizationTimeMs: c.ServerStabilizationTimeMs,
        RedundancyZoneTag: c.RedundancyZoneTag,
        DisableUpgradeMigration: c.DisableUpgradeMigration,
        UpgradeVersionTag: c.UpgradeVersionTag,
      }
      const result = await d.server.apply(r.CAS ? {type: 'autopilot', config, cas: c.ModifyIndex ?? 0} : {type: 'autopilot', config})
      return r.CAS ? result === true : true
    },

    /** The leader's view of every server's health; all zero before autopilot's first round, as Consul. */
    'Operator.ServerHealth': async (q?: QueryOptions): Promise<ServerHealthReply> => {
      const state = onLeader(q).autopilotState()
      if (!state) return {Healthy: false, FailureTolerance: 0, Servers: []}
      return {
        Healthy: state.healthy,
        FailureTolerance: state.failureTolerance,
        Servers: state.servers.map((s) => ({
          ID: s.id,
          Name: s.name,
          Address: s.address,
          SerfStatus: serfStatusName(s.nodeStatus),
          Version: s.version,
          Leader: s.role === 'leader',
          LastContactMs: s.stats.lastContactMs,
          LastTerm: s.stats.lastTerm,
          LastIndex: s.stats.lastIndex,
          Healthy: s.healthy,
          Voter: s.role !== 'non-voter',
          StableSinceWallMs: s.stableSinceWallMs,
        })),
      }
    },

    'Operator.AutopilotState': async (q?: QueryOptions): Promise<AutopilotState> => {
      const state = onLeader(q).autopilotState()
      if (!state) throw new EndpointError('internal', 'Failed to get autopilot state: no state found')
      return state
    },
  }
}
