import type {Env, Logger} from '../env/types.js'
import {RaftError} from '../raft/node.js'
import type {Autopilot, AutopilotPort} from './autopilot/autopilot.js'
import type {KnownServer} from './autopilot/types.js'
import {EndpointError} from './endpoints/errors.js'
import type {OperatorPort, RaftConfigurationResponse} from './endpoints/operator.js'
import type {Raft} from './raft.js'
import {DEFAULT_AUTOPILOT_CONFIG} from './autopilot/config.js'

export interface OperatorPortDeps {
  raft: Raft
  env: Env
  log: Logger
  /** This server's Raft id, node name and server RPC address ("ip:port"). */
  nodeId: string
  nodeName: string
  /** This server's RPC address ('' when it has no RPC listener). */
  selfAddress(): string
  /** Servers of this datacenter in the LAN pool by Raft id (autopilot/known-servers.ts over gossip). */
  known(): Record<string, KnownServer>
  /** Filled in once the Autopilot exists (it needs autopilotPort first). */
  autopilot(): Autopilot | undefined
  /** How long transfer-leader waits for the new leader (default 10 s). */
  transferTimeoutMs?: number
}

/**
 * The Operator endpoints' view of this server's Raft node (one line to wire from
 * ServerRole). Another server's node name and address come only from gossip: when
 * gossip does not know it, they are left empty rather than guessed.
 */
export function operatorPort(d: OperatorPortDeps): OperatorPort {
  const node = () => d.raft.node
  const addressOf = (id: string): string => (id === d.nodeId ? d.selfAddress() : d.known()[id]?.address ?? '')
  return {
    configuration(): RaftConfigurationResponse {
      const conf = node().configuration()
      const leader = node().leader()
      const known = d.known()
      return {
        Servers: conf.servers.map((s) => {
          const self = s.id === d.nodeId
          const k = known[s.id]
          return {
            ID: s.id,
            Node: self ? d.nodeName : k?.name ?? '',
            Address: addressOf(s.id),
            Leader: s.id === leader,
            Voter: s.voter,
            ProtocolVersion: self ? '3' : k?.raftVersion ?? '',
          }
        }),
        Index: conf.index,
      }
    },

    idByAddress(address: string): string | undefined {
      return node().configuration().servers.find((s) => addressOf(s.id) === address)?.id
    },

    async removePeer(id: string): Promise<void> {
      const servers = node().configuration().servers
      const target = servers.find((s) => s.id === id)
      if (!target) throw new EndpointError('internal', `id "${id}" was not found in the Raft configuration`)
      // hashicorp/raft refuses a configuration without voters; so does dc, before asking Raft.
      if (target.voter && servers.filter((s) => s.voter).length === 1) throw new EndpointError('internal', 'need at least one voter in configuration')
      try {
        await node().removeServer(id)
      } catch (e) {
        throw raftFailure(e)
      }
      d.log.warn('Removed Raft peer with id', {peer_id: id})
    },

    async transferLeader(id: string): Promise<void> {
      const n = node()
      const servers = n.configuration().servers
      let to = id
      if (to === '') {
        // Raft's choice when no id is given: the most up-to-date other voter.
        const peers = n.peers()
        const candidates = servers.filter((s) => s.voter && s.id !== d.nodeId).sort((a, b) => (peers[b.id]?.match ?? 0) - (peers[a.id]?.match ?? 0))
        if (candidates.length === 0) throw new EndpointError('internal', 'cannot find peer')
        to = candidates[0]!.id
      } else {
        const target = servers.find((s) => s.id === to)
        if (!target) throw new EndpointError('internal', `cannot transfer leadership to "${to}": not in the Raft configuration`)
        if (to === d.nodeId) throw new EndpointError('internal', `cannot transfer leadership to "${to}": it is already the leader`)
        if (!target.voter) throw new EndpointError('internal', `cannot transfer leadership to "${to}": it is a non-voter`)
      }
      await new Promise<void>((resolve, reject) => {
        const timer = d.env.timers.after(d.transferTimeoutMs ?? 10_000, () => {
          off()
          reject(new EndpointError('internal', 'leadership transfer timeout'))
        })
        const off = n.onLeaderChange((leader) => {
          if (leader === '' || leader === d.nodeId) return
          timer.cancel()
          off()
          resolve()
        })
        try {
          n.transferLeadership(to)
        } catch (e) {
          timer.cancel()
          off()
          reject(raftFailure(e))
        }
      })
      d.log.info('leadership transferred', {to})
    },

    autopilotState() {
      return d.autopilot()?.state()
    },
  }
}

/** The port autopilot acts through, over the same Raft node and gossip view. */
export function autopilotPort(d: OperatorPortDeps): AutopilotPort {
  const raft = d.raft
  return {
    selfId: d.nodeId,
    log: d.log,
    isLeader: () => raft.isLeader(),
    configuration: () => raft.node.configuration(),
    peers: () => raft.node.peers(),
    lastLog: () => {
      const s = raft.node.stats()
      return {index: Number(s.last_log_index), term: Number(s.last_log_term)}
    },
    termAt: (index) => raft.node.termAt(index),
    members: () => d.known(),
    config: () => raft.state.autopilotConfig().value,
    initConfig: () => raft.apply({type: 'autopilot', config: {...DEFAULT_AUTOPILOT_CONFIG}}),
    addVoter: (id) => raft.node.addVoter(id),
    removeServer: (id) => raft.node.removeServer(id),
  }
}

function raftFailure(e: unknown): unknown {
  if (!(e instanceof RaftError)) return e
  if (e.code === 'not-leader') return new EndpointError('no-leader', 'No cluster leader')
  return new EndpointError('internal', e.message)
}
