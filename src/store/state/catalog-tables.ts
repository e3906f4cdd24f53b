import {Table} from './context.js'
import {SortedKeys, addToSet, compareKeys, lower, removeFromSet} from './keys.js'
import type {HealthCheck, Node, NodeService} from './types.js'

/** Row keys are lowercased, as Consul's memdb indexes are case-insensitive on names and IDs. */
export const pairKey = (a: string, b: string): string => lower(a) + '\u0000' + lower(b)

/** Nodes by lowercased name, kept in name order, with a lookup by node ID. */
export class NodeTable extends Table<Node> {
  private readonly names = new SortedKeys()
  private readonly byId = new Map<string, string>()

  byName(name: string): Node | undefined {
    return this.rows.get(lower(name))
  }

  byNodeId(id: string): Node | undefined {
    const k = this.byId.get(lower(id))
    return k === undefined ? undefined : this.rows.get(k)
  }

  list(): Node[] {
    return this.names.all().map((k) => this.rows.get(k)!)
  }

  protected override reindex(key: string, old: Node | undefined, next: Node | undefined): void {
    if (!old && next) this.names.insert(key)
    else if (old && !next) this.names.remove(key)
    if (old?.ID && this.byId.get(lower(old.ID)) === key) this.byId.delete(lower(old.ID))
    if (next?.ID) this.byId.set(lower(next.ID), key)
    this.ctx.touch('node:' + key)
  }
}

/** A service instance as stored: the node's name and the service. */
export interface ServiceRow {
  Node: string
  Service: NodeService
}

/** Service instances keyed by (node, service ID), indexed by node and by service name. */
export class ServiceTable extends Table<ServiceRow> {
  private readonly keys = new SortedKeys()
  private readonly byNodeIdx = new Map<string, Set<string>>()
  private readonly byNameIdx = new Map<string, Set<string>>()
  /** Per service name, rows in (node, ID) order; rebuilt lazily after a change to that name. */
  private readonly sortedByName = new Map<string, ServiceRow[]>()

  getOn(node: string, serviceId: string): ServiceRow | undefined {
    return this.rows.get(pairKey(node, serviceId))
  }

  /** Instances of a service name (case-insensitive) in (node, service ID) order. Read-only array. */
  byName(name: string): readonly ServiceRow[] {
    const n = lower(name)
    let cached = this.sortedByName.get(n)
    if (!cached) {
      const keys = [...(this.byNameIdx.get(n) ?? [])].sort(compareKeys)
      cached = keys.map((k) => this.rows.get(k)!)
      this.sortedByName.set(n, cached)
    }
    return cached
  }

  hasName(name: string): boolean {
    return this.byNameIdx.has(lower(name))
  }

  onNode(node: string): ServiceRow[] {
    return [...(this.byNodeIdx.get(lower(node)) ?? [])].sort(compareKeys).map((k) => this.rows.get(k)!)
  }

  all(): ServiceRow[] {
    return this.keys.all().map((k) => this.rows.get(k)!)
  }

  protected override reindex(key: string, old: ServiceRow | undefined, next: ServiceRow | undefined): void {
    if (!old && next) this.keys.insert(key)
    else if (old && !next) this.keys.remove(key)
    if (old) {
      removeFromSet(this.byNodeIdx, lower(old.Node), key)
      removeFromSet(this.byNameIdx, lower(old.Service.Service), key)
      this.sortedByName.delete(lower(old.Service.Service))
      this.ctx.touch('svc:' + lower(old.Service.Service))
    }
    if (next) {
      addToSet(this.byNodeIdx, lower(next.Node), key)
      addToSet(this.byNameIdx, lower(next.Service.Service), key)
      this.sortedByName.delete(lower(next.Service.Service))
      this.ctx.touch('svc:' + lower(next.Service.Service))
    }
  }
}

/** Health checks keyed by (node, check ID), indexed by node, (node, service ID), service name and status. */
export class CheckTable extends Table<HealthCheck> {
  private readonly keys = new SortedKeys()
  private readonly byNodeIdx = new Map<string, Set<string>>()
  private readonly byNodeServiceIdx = new Map<string, Set<string>>()
  private readonly byServiceIdx = new Map<string, Set<string>>()
  private readonly byStatusIdx = new Map<string, Set<string>>()

  getOn(node: string, checkId: string): HealthCheck | undefined {
    return this.rows.get(pairKey(node, checkId))
  }

  all(): HealthCheck[] {
    return this.keys.all().map((k) => this.rows.get(k)!)
  }

  onNode(node: string): HealthCheck[] {
    return this.sorted(this.byNodeIdx.get(lower(node)))
  }

  /** Checks of one service instance; serviceId '' gives the node-level checks. */
  forNodeService(node: string, serviceId: string): HealthCheck[] {
    return this.sorted(this.byNodeServiceIdx.get(pairKey(node, serviceId)))
  }

  forServiceName(name: string): HealthCheck[] {
    return this.sorted(this.byServiceIdx.get(lower(name)))
  }

  inStatus(status: string): HealthCheck[] {
    return this.sorted(this.byStatusIdx.get(status))
  }

  private sorted(keys: Set<string> | undefined): HealthCheck[] {
    if (!keys || keys.size === 0) return []
    // Most (node, service) pairs hold one check: skip the copy-and-sort (health reads over
    // thousands of instances call this twice per instance).
    if (keys.size === 1) return [this.rows.get(keys.values().next().value as string)!]
    return [...keys].sort(compareKeys).map((k) => this.rows.get(k)!)
  }

  protected override reindex(key: string, old: HealthCheck | undefined, next: HealthCheck | undefined): void {
    if (!old && next) this.keys.insert(key)
    else if (old && !next) this.keys.remove(key)
    if (old) {
      removeFromSet(this.byNodeIdx, lower(old.Node), key)
      removeFromSet(this.byNodeServiceIdx, pairKey(old.Node, old.ServiceID), key)
      if (old.ServiceName) removeFromSet(this.byServiceIdx, lower(old.ServiceName), key)
      removeFromSet(this.byStatusIdx, old.Status, key)
      this.touchFor(old)
    }
    if (next) {
      addToSet(this.byNodeIdx, lower(next.Node), key)
      addToSet(this.byNodeServiceIdx, pairKey(next.Node, next.ServiceID), key)
      if (next.ServiceName) addToSet(this.byServiceIdx, lower(next.ServiceName), key)
      addToSet(this.byStatusIdx, next.Status, key)
      this.touchFor(next)
    }
  }

  private touchFor(c: HealthCheck): void {
    this.ctx.touch('checks:node:' + lower(c.Node))
    if (c.ServiceName) this.ctx.touch('checks:service:' + lower(c.ServiceName))
  }
}
