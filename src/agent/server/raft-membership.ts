import type {Logger} from '../env/types.js'
import type {SerfMember} from '../gossip/serf/serf.js'
import {MemberStatus} from '../gossip/serf/serf.js'
import type {Raft} from './raft.js'
import {serverInfo, type ServerLookup} from './servers.js'

export interface RaftMembershipDeps {
  raft: Raft
  log: Logger
  selfId: string
  datacenter: string
  servers: ServerLookup
  /**
   * True: a new server joins as a non-voter and autopilot promotes it once it has been
   * healthy for server_stabilization_time (Consul with Raft protocol 3). False: it joins
   * as a voter at once.
   */
  nonVoterFirst(): boolean
}

/**
 * The leader's half of server membership (Consul's joinConsulServer/removeConsulServer):
 * a server of this datacenter that is alive in the LAN pool and missing from the Raft
 * configuration is added; one that left, or was reaped, is removed.
 */
export class RaftMembership {
  constructor(private readonly d: RaftMembershipDeps) {}

  async reconcile(m: SerfMember, reaped: boolean): Promise<void> {
    const s = serverInfo(m)
    if (!s || s.datacenter !== this.d.datacenter || !this.d.raft.isLeader()) return
    const conf = this.d.raft.node.configuration().servers
    const inConf = conf.find((c) => c.id === s.id)
    if (reaped || m.status === MemberStatus.left) {
      if (!inConf || s.id === this.d.selfId) return
      this.d.log.info('removing server that left from the Raft configuration', {server: s.name, id: s.id})
      await this.d.raft.node.removeServer(s.id)
      return
    }
    if (m.status !== MemberStatus.alive || inConf) return
    if (s.bootstrap && this.d.servers.all().some((o) => o.name !== s.name && o.bootstrap)) {
      this.d.log.error('Two nodes are in bootstrap mode. Only one node should be in bootstrap mode, not adding Raft peer.', {server: s.name})
      return
    }
    // Another ID at the same address is that machine's previous life (new data dir): drop it first.
    for (const c of conf) {
      if (c.id !== s.id && c.id !== this.d.selfId && this.d.raft.addressOf(c.id) === s.addr && this.d.servers.byId(c.id)?.status !== MemberStatus.alive) {
        this.d.log.info('removing server with duplicate address from the Raft configuration', {address: s.addr, id: c.id})
        await this.d.raft.node.removeServer(c.id)
      }
    }
    const nonVoter = this.d.nonVoterFirst()
    this.d.log.info(`adding server to the Raft configuration as a ${nonVoter ? 'non-voter' : 'voter'}`, {server: s.name, id: s.id, address: s.addr})
    if (nonVoter) await this.d.raft.node.addNonvoter(s.id)
    else await this.d.raft.node.addVoter(s.id, s.addr)
  }
}
