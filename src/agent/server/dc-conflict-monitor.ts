import type {Logger} from '../env/types.js'
import {conflictKey, conflictLogLine, type DatacenterConflict} from './dc-conflicts.js'

/**
 * Says what the WAN router already acts on: a datacenter name claimed by several Raft
 * clusters is logged once when first seen (and once when it is gone), counted, and
 * reported in /v1/agent/self's Stats (`dc info`).
 */
export class DatacenterConflictMonitor {
  private active = new Map<string, DatacenterConflict>()
  /** How many conflicts were seen appear since start (a changed conflict counts again). */
  detected = 0

  constructor(
    private readonly log: Logger,
    private readonly ownDc: string,
  ) {}

  /** One pass over the conflicts the WAN pool shows now. */
  update(now: DatacenterConflict[], ownClusterId: string | undefined): void {
    const next = new Map(now.map((c) => [conflictKey(c), c]))
    for (const [key, c] of next) {
      if (this.active.has(key)) continue
      this.detected++
      this.log.error(conflictLogLine(c, this.ownDc, ownClusterId))
    }
    for (const [key, c] of this.active) {
      if (!next.has(key) && !now.some((n) => n.datacenter === c.datacenter)) this.log.info(`datacenter "${c.datacenter}" is claimed by one cluster again; requests for it are routed`)
    }
    this.active = next
  }

  /** The datacenter names in conflict now, sorted. */
  datacenters(): string[] {
    return [...new Set([...this.active.values()].map((c) => c.datacenter))].sort()
  }
}
