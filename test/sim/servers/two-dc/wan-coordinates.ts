import type {SimWorld} from '../../../../src/agent/env/sim.js'
import type {Random} from '../../../../src/agent/env/types.js'
import {CoordinateClient} from '../../../../src/agent/gossip/coordinate/client.js'
import type {Coordinate} from '../../../../src/agent/gossip/coordinate/coordinate.js'

/** A WAN pool member as the coordinate model needs it. */
export interface WanNode {
  /** `<node>.<dc>` */
  name: string
  dc: string
  up: boolean
}

/**
 * WAN network coordinates without running WAN gossip: a seeded geometry (each datacenter
 * a site; the two sites `interDcMs` apart; each server an access latency of its own) gives
 * every pair of servers a true round-trip time (within a datacenter at most about 16 ms,
 * between them at least 41 ms), and every `periodMs` each up server "probes"
 * one random other server, as memberlist's WAN probes do, feeding a jittered sample of
 * that RTT to its real Vivaldi client (src/agent/gossip/coordinate). Probes between the
 * datacenters stop while the WAN is cut. The servers' WAN routers rank with the result.
 */
export class SimWanCoordinates {
  private readonly clients = new Map<string, CoordinateClient>()
  private readonly accessMs = new Map<string, number>()
  /** RTT between the two sites (ms), drawn per seed. */
  readonly interDcMs: number
  probes = 0

  constructor(
    private readonly world: SimWorld,
    private readonly rng: Random,
    private readonly nodes: () => WanNode[],
    private readonly isCut: () => boolean,
    private readonly periodMs = 250,
  ) {
    this.interDcMs = 40 + rng.float() * 80
  }

  /** The model's RTT (ms) between two WAN members: the sites' distance plus both access latencies. */
  trueRttMs(a: WanNode, b: WanNode): number {
    return (a.dc === b.dc ? 0.2 : this.interDcMs) + this.access(a.name) + this.access(b.name)
  }

  self(name: string): Coordinate {
    return this.client(name).getCoordinate()
  }

  /** What gossip last heard of `name`'s coordinate (undefined before its first probe). */
  coordinateOf(name: string): Coordinate | undefined {
    return this.clients.get(name)?.getCoordinate()
  }

  start(): void {
    this.world.schedule('wan-coordinates', this.periodMs, () => {
      this.round()
      this.start()
    }, 'wan-probe')
  }

  private round(): void {
    const nodes = this.nodes()
    for (const a of nodes) {
      if (!a.up) continue
      const peers = nodes.filter((b) => b.name !== a.name && b.up && (a.dc === b.dc || !this.isCut()))
      if (peers.length === 0) continue
      const b = peers[this.rng.int(peers.length)]!
      // Queueing and scheduling noise: up to +25 % on the true RTT.
      const sample = this.trueRttMs(a, b) * (1 + 0.25 * this.rng.float())
      this.client(a.name).update(b.name, this.client(b.name).getCoordinate(), sample)
      this.probes++
    }
  }

  private client(name: string): CoordinateClient {
    let c = this.clients.get(name)
    if (!c) this.clients.set(name, (c = new CoordinateClient({random: () => this.rng.float()})))
    return c
  }

  private access(name: string): number {
    let ms = this.accessMs.get(name)
    if (ms === undefined) this.accessMs.set(name, (ms = 0.5 + this.rng.float() * 7.5))
    return ms
  }
}
