/**
 * In-memory DnsCatalog for tests and benchmarks. Every mutation bumps the index,
 * as a Raft apply would. Names match case-insensitively, like Consul's catalog.
 */
import type {DnsCatalog} from '../../../src/agent/dns/catalog-port.js'
import type {
  CheckServiceNode, HealthCheck, HealthStatus, Node, NodeService, ServiceAddress,
} from '../../../src/store/state/types.js'

export interface NodeSpec {
  name: string
  address: string
  dc?: string
  meta?: Record<string, string>
  tagged?: Record<string, string>
}

export interface ServiceSpec {
  node: string
  name: string
  id?: string
  tags?: string[]
  address?: string
  port?: number
  weights?: {Passing: number; Warning: number}
  tagged?: Record<string, ServiceAddress>
  /** Status of the instance's own check (none when omitted). */
  status?: HealthStatus
  dc?: string
}

export class FakeCatalog implements DnsCatalog {
  readonly datacenter: string
  private idx = 1
  private readonly dcs: string[]
  private readonly nodeTable = new Map<string, Node>()
  private readonly services: NodeService[] = []
  private readonly serviceNode = new Map<NodeService, string>()
  private readonly checks: {dc: string; check: HealthCheck}[] = []
  private readonly checksByNode = new Map<string, HealthCheck[]>()
  /** Datacenters whose reads fail (serviceNodes → undefined). */
  readonly unreadable = new Set<string>()
  calls = 0

  constructor(opts: {datacenter?: string; knownDatacenters?: string[]} = {}) {
    this.datacenter = opts.datacenter ?? 'dc1'
    this.dcs = opts.knownDatacenters ?? [this.datacenter]
  }

  index(): number {
    return this.idx
  }

  knownDatacenters(): readonly string[] {
    return this.dcs
  }

  addNode(spec: NodeSpec): Node {
    const dc = spec.dc ?? this.datacenter
    const n: Node = {
      ID: `id-${spec.name}`, Node: spec.name, Address: spec.address, Datacenter: dc,
      TaggedAddresses: spec.tagged ?? {}, Meta: spec.meta ?? {}, CreateIndex: this.idx, ModifyIndex: this.idx,
    }
    this.nodeTable.set(key(dc, spec.name), n)
    this.idx++
    return n
  }

  addService(spec: ServiceSpec): NodeService {
    const dc = spec.dc ?? this.datacenter
    if (!this.nodeTable.has(key(dc, spec.node))) throw new Error(`no node ${spec.node}`)
    const s: NodeService = {
      Kind: '', ID: spec.id ?? spec.name, Service: spec.name, Tags: spec.tags ?? [], Address: spec.address ?? '',
      TaggedAddresses: spec.tagged ?? {}, Meta: {}, Port: spec.port ?? 0,
      Weights: spec.weights ?? {Passing: 1, Warning: 1}, EnableTagOverride: false,
      CreateIndex: this.idx, ModifyIndex: this.idx,
    }
    this.services.push(s)
    this.serviceNode.set(s, key(dc, spec.node))
    if (spec.status) this.addCheck({node: spec.node, id: `service:${s.ID}`, status: spec.status, serviceId: s.ID, serviceName: s.Service, dc})
    this.idx++
    return s
  }

  addCheck(c: {node: string; id: string; status: HealthStatus; serviceId?: string; serviceName?: string; dc?: string}): HealthCheck {
    const dc = c.dc ?? this.datacenter
    const check: HealthCheck = {
      Node: this.nodeTable.get(key(dc, c.node))?.Node ?? c.node, CheckID: c.id, Name: c.id, Status: c.status, Notes: '', Output: '',
      ServiceID: c.serviceId ?? '', ServiceName: c.serviceName ?? '', ServiceTags: [], Type: 'ttl', Definition: {},
      CreateIndex: this.idx, ModifyIndex: this.idx,
    }
    this.checks.push({dc, check})
    const nk = key(dc, c.node)
    this.checksByNode.set(nk, [...(this.checksByNode.get(nk) ?? []), check])
    this.idx++
    return check
  }

  setCheckStatus(node: string, id: string, status: HealthStatus): void {
    const c = this.checks.find((x) => x.check.Node.toLowerCase() === node.toLowerCase() && x.check.CheckID === id)
    if (!c) throw new Error(`no check ${id} on ${node}`)
    c.check.Status = status
    this.idx++
  }

  serviceNodes(dc: string, service: string): readonly CheckServiceNode[] | undefined {
    this.calls++
    if (this.unreadable.has(dc)) return undefined
    const want = service.toLowerCase()
    const out: CheckServiceNode[] = []
    for (const s of this.services) {
      const nk = this.serviceNode.get(s)!
      if (s.Service.toLowerCase() !== want || !nk.startsWith(dc + '\u0000')) continue
      const node = this.nodeTable.get(nk)!
      const checks = (this.checksByNode.get(nk) ?? []).filter((c) => c.ServiceID === '' || c.ServiceID === s.ID)
      out.push({Node: node, Service: s, Checks: checks})
    }
    return out
  }

  node(dc: string, name: string): Node | undefined {
    this.calls++
    if (this.unreadable.has(dc)) return undefined
    return this.nodeTable.get(key(dc, name))
  }

  nodes(): readonly Node[] {
    return [...this.nodeTable.values()].filter((n) => n.Datacenter === this.datacenter).sort((a, b) => a.Node.localeCompare(b.Node))
  }

  serviceInstances(): readonly {Node: Node; Service: NodeService}[] {
    return this.services
      .map((s) => ({Node: this.nodeTable.get(this.serviceNode.get(s)!)!, Service: s}))
      .filter((x) => x.Node.Datacenter === this.datacenter)
      .sort((a, b) => a.Node.Node.localeCompare(b.Node.Node))
  }
}

function key(dc: string, name: string): string {
  return `${dc}\u0000${name.toLowerCase()}`
}

/** A catalog with `count` healthy instances of `service` on nodes n0..n{count-1} at 10.x.y.z. */
export function populated(count: number, service = 'web', opts: {port?: number; catalog?: FakeCatalog} = {}): FakeCatalog {
  const cat = opts.catalog ?? new FakeCatalog()
  for (let i = 0; i < count; i++) {
    const name = `${service}-node-${i}`
    cat.addNode({name, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`})
    cat.addService({node: name, name: service, port: opts.port ?? 8080, status: 'passing'})
  }
  return cat
}
