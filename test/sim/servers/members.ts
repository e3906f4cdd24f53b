import type {SimWorld} from '../../../src/agent/env/sim.js'
import {MemberStatus, type MemberStatusType, type SerfMember} from '../../../src/agent/gossip/serf/serf.js'

/**
 * What LAN gossip would say, without running gossip: a member list whose entries turn
 * failed some time after a crash and alive again some time after a restart (a restart
 * before the failure was noticed is never seen as a failure, as a refutation would do).
 * Every change is announced to `onEvent` (the servers' member events). Tags are the
 * ones agents put in the pool, so ServerLookup, the bootstrapper and the client router
 * read them unchanged.
 */
export class SimMembers {
  private readonly byName = new Map<string, SerfMember>()
  private readonly version = new Map<string, number>()
  private ltime = 1

  constructor(
    private readonly world: SimWorld,
    private readonly onEvent: (m: SerfMember) => void,
  ) {}

  /** Adds a member, alive after `afterMs` (until then gossip has not heard of it). */
  add(name: string, ip: string, tags: Record<string, string>, afterMs: number): void {
    const m: SerfMember = {name, addr: {ip, port: 8301}, tags, status: MemberStatus.none, vsn: [1, 5, 2, 2, 5, 4], statusLTime: 0, leaveMs: 0}
    this.byName.set(name, m)
    this.change(name, MemberStatus.alive, afterMs)
  }

  /** Members gossip knows of (status none = not yet heard of). */
  list(): SerfMember[] {
    return [...this.byName.values()].filter((m) => m.status !== MemberStatus.none)
  }

  /** Schedules the member's status to become `status` after `afterMs`; a later call supersedes it. */
  change(name: string, status: MemberStatusType, afterMs: number): void {
    const v = (this.version.get(name) ?? 0) + 1
    this.version.set(name, v)
    this.world.schedule('gossip', afterMs, () => {
      if (this.version.get(name) !== v) return
      const m = this.byName.get(name)
      if (!m || m.status === status) return
      m.status = status
      m.statusLTime = ++this.ltime
      m.leaveMs = status === MemberStatus.alive ? 0 : this.world.nowMs()
      this.onEvent(m)
    }, 'member-status')
  }

  /** A restart that lands before the failure was noticed: nothing changes in gossip. */
  alive(name: string, afterMs: number): void {
    const m = this.byName.get(name)
    if (m?.status === MemberStatus.alive) this.version.set(name, (this.version.get(name) ?? 0) + 1)
    else this.change(name, MemberStatus.alive, afterMs)
  }
}
