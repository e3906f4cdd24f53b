import type {SimWorld} from '../../../../src/agent/env/sim.js'
import {MemberStatus, type SerfMember} from '../../../../src/agent/gossip/serf/serf.js'
import type {SimNetwork} from '../../network.js'
import {CLUSTER_ID_TAG} from '../../../../src/agent/server/dc-conflicts.js'
import type {ServerCluster} from '../cluster.js'
import {SimWanCoordinates, type WanNode} from './wan-coordinates.js'
import type {Coordinate} from '../../../../src/agent/gossip/coordinate/coordinate.js'

/**
 * The WAN pool of two datacenters, without running WAN gossip: every server of both,
 * named <node>.<dc> with the LAN tags (role=consul, dc, id, port), alive or failed as
 * its LAN pool says, plus raft_cluster_id as each server advertises it. A WAN cut drops
 * every RPC link between the datacenters; some time later (WAN failure detection) each
 * side sees the other's servers as failed, and some time after a heal as alive again.
 * WAN coordinates come from SimWanCoordinates (a seeded RTT model probed by real Vivaldi
 * clients), so routers rank datacenters and servers by estimated RTT as on real servers.
 */
export class SimWan {
  /** Gossip has noticed the cut: each side sees the other datacenter's servers failed. */
  private detected = false
  private version = 0
  private cutNow = false
  /** Every cut as [from, to) virtual ms (to = Infinity while it lasts). */
  readonly windows: {from: number; to: number}[] = []
  readonly coordinates: SimWanCoordinates

  constructor(
    private readonly world: SimWorld,
    private readonly rpcNet: SimNetwork,
    /** Both datacenters (a function: they are built after the WAN they use). */
    private readonly clusters: () => ServerCluster[],
    private readonly failureDetectMs: number,
    private readonly aliveDetectMs: number,
  ) {
    this.coordinates = new SimWanCoordinates(world, world.rng('wan-coordinates'), () => this.nodes(), () => this.cutNow)
  }

  /** Every server of both datacenters by WAN name, up or not. */
  nodes(): WanNode[] {
    return this.clusters().flatMap((c) => c.ids.map((id) => ({name: `${c.names.get(id)!}.${c.datacenter}`, dc: c.datacenter, up: c.member(id).up})))
  }

  get isCut(): boolean {
    return this.cutNow
  }

  /** Whether both sides see each other's servers in the WAN pool as alive gossip-wise. */
  get joined(): boolean {
    return !this.cutNow && !this.detected
  }

  /** ServerRole's wan dep for server `id` of `dc`. */
  viewFrom(dc: string, id: string): () => {members(): SerfMember[]; self(): Coordinate; coordinateOf(member: string): Coordinate | undefined} {
    const me = () => `${this.clusters().find((c) => c.datacenter === dc)!.names.get(id)!}.${dc}`
    const view = {members: () => this.members(dc), self: () => this.coordinates.self(me()), coordinateOf: (m: string) => this.coordinates.coordinateOf(m)}
    return () => view
  }

  members(dc: string): SerfMember[] {
    return this.clusters().flatMap((c) => {
      const idOf = new Map([...c.names].map(([id, name]) => [name, id]))
      return c.gossip.list().filter((m) => m.tags.role === 'consul').map((m) => {
        // The WAN tags add the server's Raft cluster ID once it knows it (a member keeps its last tags while down).
        const clusterId = c.members.get(idOf.get(m.name) ?? '')?.role.clusterId.current
        return {
          ...m,
          name: `${m.name}.${c.datacenter}`,
          tags: clusterId ? {...m.tags, [CLUSTER_ID_TAG]: clusterId} : m.tags,
          status: c.datacenter !== dc && this.detected ? MemberStatus.failed : m.status,
        }
      })
    })
  }

  cut(): void {
    if (this.cutNow) return
    this.cutNow = true
    const [a, b] = this.clusters() as [ServerCluster, ServerCluster]
    this.rpcNet.partition([a.ids, b.ids])
    this.windows.push({from: this.world.nowMs(), to: Infinity})
    this.later(this.failureDetectMs, true)
  }

  heal(): void {
    if (!this.cutNow) return
    this.cutNow = false
    const dcOf = new Map(this.clusters().flatMap((c) => c.ids.map((id) => [id, c.datacenter] as const)))
    this.rpcNet.heal((x, y) => dcOf.has(x) && dcOf.has(y) && dcOf.get(x) !== dcOf.get(y))
    this.windows[this.windows.length - 1]!.to = this.world.nowMs()
    this.later(this.aliveDetectMs, false)
  }

  private later(ms: number, detected: boolean): void {
    const v = ++this.version
    this.world.schedule('wan-gossip', ms, () => {
      if (v === this.version) this.detected = detected
    }, 'wan-member-status')
  }
}
