import type {Env, TimerHandle} from '../env/types.js'
import type {CheckDefinition, ServiceDefinition} from '../services/types.js'
import type {HealthCheck, HealthStatus, NodeService} from '../../store/state/types.js'
import {deferredOutputDelayMs} from './core/scale.js'

/** Where a registration came from: config files are reloaded, API registrations persisted. */
export type Source = 'config' | 'api'

export interface ServiceEntry {
  def: ServiceDefinition
  record: NodeService
  source: Source
  inSync: boolean
  /** A tombstone: deregistered locally, not yet removed from the catalog. */
  deleted: boolean
}

export interface CheckEntry {
  /** Undefined for maintenance checks (they have no runner). */
  def?: CheckDefinition
  record: HealthCheck
  source: Source
  inSync: boolean
  deleted: boolean
  /** Monotonic ms since which the check has been critical (for deregister_critical_service_after). */
  criticalSinceMs?: number
  /** Pending write-back of an output-only change (check_update_interval). */
  deferTimer?: TimerHandle
}

export interface LocalStateOptions {
  env: Env
  nodeName: string
  /** 0 writes every output change at once. */
  checkUpdateIntervalMs: number
  discardCheckOutput: boolean
  /** Called when something became out of sync (the anti-entropy trigger). */
  onSyncNeeded: () => void
}

/**
 * The agent's own services and checks (Consul's local.State): each entry carries
 * in-sync and deleted flags for anti-entropy; deletions stay as tombstones until the
 * catalog confirms them. Status changes need a sync at once; output-only changes are
 * written back after check_update_interval, so chatty checks cost few Raft writes.
 */
export class LocalState {
  readonly services = new Map<string, ServiceEntry>()
  readonly checks = new Map<string, CheckEntry>()
  /** Service ID → IDs of its checks (live or tombstoned), so per-service lookups stay O(checks of the service). */
  private readonly byService = new Map<string, Set<string>>()
  nodeInfoInSync = false
  private readonly listeners = new Set<() => void>()

  constructor(private readonly o: LocalStateOptions) {}

  get nodeName(): string {
    return this.o.nodeName
  }

  /** Register a listener for any local change (alias checks, hash-blocking reads). */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  private changed(needsSync = true): void {
    if (needsSync) this.o.onSyncNeeded()
    for (const cb of [...this.listeners]) cb()
  }

  // --- reads (tombstones excluded) ---------------------------------------------------

  service(id: string): ServiceEntry | undefined {
    const e = this.services.get(id)
    return e && !e.deleted ? e : undefined
  }

  liveServices(): ServiceEntry[] {
    return [...this.services.values()].filter((e) => !e.deleted)
  }

  check(id: string): CheckEntry | undefined {
    const e = this.checks.get(id)
    return e && !e.deleted ? e : undefined
  }

  liveChecks(): CheckEntry[] {
    return [...this.checks.values()].filter((e) => !e.deleted)
  }

  checksOfService(serviceId: string): CheckEntry[] {
    const out: CheckEntry[] = []
    for (const id of this.byService.get(serviceId) ?? []) {
      const c = this.checks.get(id)
      if (c && !c.deleted && c.record.ServiceID === serviceId) out.push(c)
    }
    return out
  }

  /** Every check entry (live or tombstoned) attached to a service. */
  allChecksOfService(serviceId: string): CheckEntry[] {
    const out: CheckEntry[] = []
    for (const id of this.byService.get(serviceId) ?? []) {
      const c = this.checks.get(id)
      if (c && c.record.ServiceID === serviceId) out.push(c)
    }
    return out
  }

  /** Puts a check entry in place, keeping the service index (also used by anti-entropy for tombstones). */
  setCheck(entry: CheckEntry): void {
    const id = entry.record.CheckID
    const prev = this.checks.get(id)
    if (prev && prev.record.ServiceID && prev.record.ServiceID !== entry.record.ServiceID) this.byService.get(prev.record.ServiceID)?.delete(id)
    this.checks.set(id, entry)
    const sid = entry.record.ServiceID
    if (sid) {
      let set = this.byService.get(sid)
      if (!set) this.byService.set(sid, (set = new Set()))
      set.add(id)
    }
  }

  /** Forgets a check entry entirely (after the catalog confirmed its removal). */
  dropCheck(id: string): void {
    const c = this.checks.get(id)
    if (!c) return
    this.checks.delete(id)
    const sid = c.record.ServiceID
    if (sid) {
      const set = this.byService.get(sid)
      set?.delete(id)
      if (set && set.size === 0) this.byService.delete(sid)
    }
  }

  // --- writes -----------------------------------------------------------------------

  addService(def: ServiceDefinition, record: NodeService, source: Source): void {
    this.services.set(def.id, {def, record, source, inSync: false, deleted: false})
    // Checks carry the service's name and tags (as the catalog stores them).
    for (const c of this.checksOfService(def.id)) {
      c.record = {...c.record, ServiceName: record.Service, ServiceTags: [...record.Tags]}
      c.inSync = false
    }
    this.changed()
  }

  /** Tombstones the service and its checks; false when unknown. */
  removeService(id: string): boolean {
    const e = this.service(id)
    if (!e) return false
    e.deleted = true
    e.inSync = false
    for (const c of this.checksOfService(id)) this.tombstoneCheck(c)
    this.changed()
    return true
  }

  addCheck(record: HealthCheck, source: Source, def?: CheckDefinition): CheckEntry {
    const prev = this.checks.get(record.CheckID)
    prev?.deferTimer?.cancel()
    if (this.o.discardCheckOutput) record = {...record, Output: ''}
    const entry: CheckEntry = {def, record, source, inSync: false, deleted: false}
    if (record.Status === 'critical') {
      entry.criticalSinceMs = prev && !prev.deleted && prev.criticalSinceMs !== undefined ? prev.criticalSinceMs : this.o.env.clock.nowMs()
    }
    this.setCheck(entry)
    this.changed()
    return entry
  }

  removeCheck(id: string): boolean {
    const c = this.check(id)
    if (!c) return false
    this.tombstoneCheck(c)
    this.changed()
    return true
  }

  private tombstoneCheck(c: CheckEntry): void {
    c.deleted = true
    c.inSync = false
    c.deferTimer?.cancel()
    c.deferTimer = undefined
  }

  /**
   * A check result (Consul's State.UpdateCheck): identical results change nothing;
   * a new status is synced at once; new output under the same status is written
   * back after half to one and a half check_update_interval.
   */
  updateCheck(id: string, status: HealthStatus, output: string): void {
    const c = this.check(id)
    if (!c) return
    if (this.o.discardCheckOutput) output = ''
    if (status === 'critical') c.criticalSinceMs ??= this.o.env.clock.nowMs()
    else c.criticalSinceMs = undefined
    if (c.record.Status === status && c.record.Output === output) return
    if (this.o.checkUpdateIntervalMs > 0 && c.record.Status === status) {
      c.record = {...c.record, Output: output}
      if (!c.deferTimer) {
        const delay = deferredOutputDelayMs(this.o.checkUpdateIntervalMs, this.o.env.random.float())
        c.deferTimer = this.o.env.timers.after(delay, () => {
          c.deferTimer = undefined
          if (c.deleted || this.checks.get(id) !== c) return
          c.inSync = false
          this.changed()
        })
      }
      this.changed(false)
      return
    }
    c.deferTimer?.cancel()
    c.deferTimer = undefined
    c.record = {...c.record, Status: status, Output: output}
    c.inSync = false
    this.changed()
  }

  /** Everything out of sync (a full sync found differences, or the node info changed). */
  markAllOutOfSync(): void {
    this.nodeInfoInSync = false
    for (const e of this.services.values()) e.inSync = false
    for (const c of this.checks.values()) c.inSync = false
  }

  /** Drop every pending output write-back timer (agent shutdown). */
  stop(): void {
    for (const c of this.checks.values()) {
      c.deferTimer?.cancel()
      c.deferTimer = undefined
    }
  }
}
