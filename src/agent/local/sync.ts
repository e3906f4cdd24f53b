import type {Env, Logger} from '../env/types.js'
import {sameRecord} from '../../store/state/equal.js'
import {EndpointError, type RpcDelegate} from '../server/endpoints/index.js'
import {checkFromInput, serviceFromInput} from '../../store/state/normalize.js'
import type {DeregisterRequest, RegisterRequest} from '../../store/state/requests.js'
import type {HealthCheck, NodeService, NodeServices} from '../../store/state/types.js'
import type {SyncPort} from './anti-entropy.js'
import {checkInput, serviceInput} from './records.js'
import type {LocalState, ServiceEntry} from './state.js'

/** How this agent's node appears in the catalog (must match what the leader registers). */
export interface NodeInfo {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  NodeMeta: Record<string, string>
}

/** The catalog as anti-entropy needs it, through the RPC seam (Consul's AE calls the same RPCs). */
export interface CatalogPort {
  nodeServices(node: string): Promise<NodeServices | null>
  nodeChecks(node: string): Promise<HealthCheck[]>
  /** Rejects with EndpointError (code 'missing-node' when the node is gone). */
  register(req: RegisterRequest): Promise<void>
  deregister(req: DeregisterRequest): Promise<void>
}

export function rpcCatalog(rpc: RpcDelegate): CatalogPort {
  return {
    nodeServices: async (node) => (await rpc('Catalog.NodeServices', {Node: node})).value,
    nodeChecks: async (node) => (await rpc('Health.NodeChecks', {Node: node})).value,
    register: async (req) => {
      await rpc('Catalog.Register', req)
    },
    deregister: async (req) => {
      await rpc('Catalog.Deregister', req)
    },
  }
}

/** Catalog writes one sync keeps in flight at most. */
const SYNC_PARALLELISM = 32

/** Runs jobs with at most `limit` in flight; all run even if some fail, then the first error is thrown. */
async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0
  let firstError: unknown
  let failed = false
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]
      try {
        await job()
      } catch (e) {
        if (!failed) {
          failed = true
          firstError = e
        }
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, jobs.length)}, worker))
  if (failed) throw firstError
}

/** Checks the leader owns on every node; anti-entropy never touches them. */
const LEADER_OWNED_CHECKS = new Set(['serfHealth'])
/** The service servers register for themselves. */
const LEADER_OWNED_SERVICES = new Set(['consul'])

/**
 * Consul's SyncFull / SyncChanges: compare the catalog's view of this node with the
 * local state, then push what differs — registrations of out-of-sync services (with
 * their checks, atomically) and checks, deregistrations of tombstones and of catalog
 * entries the agent does not own.
 */
export class Syncer implements SyncPort {
  constructor(
    private readonly local: LocalState,
    private readonly catalog: CatalogPort,
    private readonly nodeInfo: () => NodeInfo,
    private readonly env: Env,
    private readonly log: Logger,
  ) {}

  async syncFull(): Promise<void> {
    await this.updateSyncState()
    await this.syncChanges()
  }

  /** Marks entries in or out of sync against the catalog; adds tombstones for unowned catalog entries. */
  async updateSyncState(): Promise<void> {
    const info = this.nodeInfo()
    const ns = await this.catalog.nodeServices(info.Node)
    const remoteChecks = ns ? await this.catalog.nodeChecks(info.Node) : []
    const remoteNode = ns?.Node
    this.local.nodeInfoInSync =
      remoteNode !== undefined &&
      remoteNode.ID === info.ID &&
      remoteNode.Address === info.Address &&
      remoteNode.Datacenter === info.Datacenter &&
      sameRecord(remoteNode.TaggedAddresses, info.TaggedAddresses) &&
      sameRecord(remoteNode.Meta, info.NodeMeta)

    const remoteServices = new Map<string, NodeService>()
    for (const s of ns?.Services ?? []) {
      if (LEADER_OWNED_SERVICES.has(s.ID)) continue
      remoteServices.set(s.ID, s)
      if (!this.local.services.has(s.ID)) {
        this.log.debug('removing catalog service the agent does not own', {service: s.ID})
        this.local.services.set(s.ID, {def: placeholderDef(s), record: s, source: 'api', inSync: false, deleted: true})
      }
    }
    for (const [id, e] of this.local.services) {
      if (e.deleted) continue
      const remote = remoteServices.get(id)
      if (!remote) {
        e.inSync = false
        continue
      }
      if (e.record.EnableTagOverride && !sameRecord(e.record.Tags, remote.Tags)) {
        // Tags edited in the catalog win for services that allow it.
        e.record = {...e.record, Tags: [...remote.Tags]}
        for (const c of this.local.checksOfService(id)) c.record = {...c.record, ServiceTags: [...remote.Tags]}
      }
      e.inSync = sameRecord(serviceFromInput(serviceInput(e.record)), remote)
    }

    const remoteByID = new Map<string, HealthCheck>()
    for (const c of remoteChecks) {
      if (LEADER_OWNED_CHECKS.has(c.CheckID)) continue
      remoteByID.set(c.CheckID, c)
      if (!this.local.checks.has(c.CheckID)) {
        this.log.debug('removing catalog check the agent does not own', {check: c.CheckID})
        this.local.setCheck({record: c, source: 'api', inSync: false, deleted: true})
      }
    }
    for (const [id, c] of this.local.checks) {
      if (c.deleted) continue
      const remote = remoteByID.get(id)
      if (!remote) {
        c.inSync = false
        continue
      }
      const expected = checkFromInput(checkInput(c.record), info.Node)
      // Output waiting for its deferred write-back does not make the check out of sync.
      if (c.deferTimer) expected.Output = remote.Output
      c.inSync = sameRecord(expected, remote)
    }
  }

  /**
   * Pushes everything out of sync: services (with their checks) first, then lone
   * checks, then the node. Writes for different entries are independent, so up to
   * SYNC_PARALLELISM are in flight at once (Raft batches them into few fsyncs).
   */
  async syncChanges(): Promise<void> {
    const serviceJobs: (() => Promise<void>)[] = []
    for (const [id, e] of this.local.services) {
      if (e.deleted) serviceJobs.push(() => this.deleteService(id, e))
      else if (!e.inSync) serviceJobs.push(() => this.syncService(id, e))
    }
    await runLimited(serviceJobs, SYNC_PARALLELISM)
    const checkJobs: (() => Promise<void>)[] = []
    for (const [id, c] of this.local.checks) {
      if (c.deleted) checkJobs.push(() => this.deleteCheck(id))
      else if (!c.inSync) checkJobs.push(() => this.syncCheck(id))
    }
    await runLimited(checkJobs, SYNC_PARALLELISM)
    if (!this.local.nodeInfoInSync) await this.syncNodeInfo()
  }

  private nodeRequest(): RegisterRequest {
    const info = this.nodeInfo()
    return {
      ID: info.ID,
      Node: info.Node,
      Address: info.Address,
      Datacenter: info.Datacenter,
      TaggedAddresses: info.TaggedAddresses,
      NodeMeta: info.NodeMeta,
      SkipNodeUpdate: this.local.nodeInfoInSync,
    }
  }

  /** Applies a registration; a missing node (deleted behind our back) is re-registered once. */
  private async register(build: () => RegisterRequest): Promise<void> {
    try {
      await this.catalog.register(build())
    } catch (e) {
      if (!(e instanceof EndpointError && e.code === 'missing-node')) throw e
      this.local.nodeInfoInSync = false
      await this.catalog.register(build())
    }
    this.local.nodeInfoInSync = true
  }

  private async syncService(id: string, e: ServiceEntry): Promise<void> {
    if (this.local.services.get(id) !== e || e.deleted || e.inSync) return
    const checks = this.local.checksOfService(id)
    const sent = e.record
    const sentChecks = checks.map((c) => [c, c.record] as const)
    await this.register(() => {
      const req = this.nodeRequest()
      req.Service = serviceInput(sent)
      if (sentChecks.length === 1) req.Check = checkInput(sentChecks[0][1])
      else if (sentChecks.length > 1) req.Checks = sentChecks.map(([, r]) => checkInput(r))
      return req
    })
    if (this.local.services.get(id) === e && e.record === sent && !e.deleted) e.inSync = true
    for (const [c, r] of sentChecks) if (this.local.checks.get(r.CheckID) === c && c.record === r && !c.deleted) c.inSync = true
  }

  private async syncCheck(id: string): Promise<void> {
    const c = this.local.checks.get(id)
    if (!c || c.deleted || c.inSync) return
    const sent = c.record
    const svc = sent.ServiceID ? this.local.service(sent.ServiceID) : undefined
    if (sent.ServiceID && !svc) return // its service is being removed; the check goes with it
    await this.register(() => {
      const req = this.nodeRequest()
      if (svc) req.Service = serviceInput(svc.record)
      req.Check = checkInput(sent)
      return req
    })
    if (this.local.checks.get(id) === c && c.record === sent && !c.deleted) c.inSync = true
  }

  private async deleteService(id: string, e: ServiceEntry): Promise<void> {
    if (this.local.services.get(id) !== e || !e.deleted) return
    await this.catalog.deregister({Node: this.nodeInfo().Node, ServiceID: id})
    if (this.local.services.get(id) === e) this.local.services.delete(id)
    for (const c of this.local.allChecksOfService(id)) if (c.deleted) this.local.dropCheck(c.record.CheckID)
  }

  private async deleteCheck(id: string): Promise<void> {
    const c = this.local.checks.get(id)
    if (!c || !c.deleted) return
    await this.catalog.deregister({Node: this.nodeInfo().Node, CheckID: id})
    if (this.local.checks.get(id) === c) this.local.dropCheck(id)
  }

  private async syncNodeInfo(): Promise<void> {
    this.local.nodeInfoInSync = false
    await this.register(() => this.nodeRequest())
  }
}

function placeholderDef(s: NodeService): ServiceEntry['def'] {
  return {
    kind: '',
    id: s.ID,
    name: s.Service,
    tags: [...s.Tags],
    address: s.Address,
    taggedAddresses: {...s.TaggedAddresses},
    meta: {...s.Meta},
    port: s.Port,
    enableTagOverride: s.EnableTagOverride,
    weights: {...s.Weights},
    checks: [],
  }
}
