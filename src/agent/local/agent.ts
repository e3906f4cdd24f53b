import {builtinCheckTypes, createCheckRunner, createNodeProbers, isTtlRunner, pluginCheckView, unknownCheckTypeMessage, type AliasSource, type CheckRunner, type CheckStatus, type CheckTypeLookup, type Probers} from '../checks/index.js'
import {oneLine} from '../plugins/registry.js'
import type {RuntimeConfig} from '../config/runtime.js'
import type {Env, Logger, TimerHandle} from '../env/types.js'
import {parseConfigDefinitions, serviceCheckDefaults} from '../services/index.js'
import type {CheckDefinition, ServiceDefinition} from '../services/types.js'
import type {RpcDelegate} from '../server/endpoints/index.js'
import {deepEqual} from '../../store/state/equal.js'
import type {StateStore} from '../../store/state/store.js'
import type {HealthCheck, HealthStatus, NodeService} from '../../store/state/types.js'
import {WatchSet} from '../../store/state/watch.js'
import {RemoteAliasChecks} from '../checks/alias-remote.js'
import {AntiEntropy} from './anti-entropy.js'
import {LocalError} from './errors.js'
import {filePersistence, memoryPersistence, type LocalPersistence, type MaintenanceRecord} from './persist.js'
import {
  DEFAULT_NODE_MAINT_REASON,
  DEFAULT_SERVICE_MAINT_REASON,
  MAINTENANCE_TYPE,
  NODE_MAINT_CHECK_ID,
  SERVICE_MAINT_PREFIX,
  checkRecord,
  serviceRecord,
} from './records.js'
import {LocalState, type Source} from './state.js'
import {Syncer, rpcCatalog, type NodeInfo} from './sync.js'

/**
 * The part of the agent's configuration the registry reads. Three optional knobs are
 * documented in docs/services.md: `aeIntervalMs` (Consul's ae_interval, 1m),
 * `checkReapIntervalMs` (the 30s reaper period) and `checkDeregisterIntervalMinMs`
 * (the 1m floor of deregister_critical_service_after); tests lower them.
 */
export type RegistryConfig = Pick<
  RuntimeConfig,
  | 'nodeName'
  | 'datacenter'
  | 'dataDir'
  | 'nodeMeta'
  | 'services'
  | 'checks'
  | 'enableScriptChecks'
  | 'enableLocalScriptChecks'
  | 'checkUpdateIntervalMs'
  | 'discardCheckOutput'
> & {advertiseAddrWan?: string; aeIntervalMs?: number; checkReapIntervalMs?: number; checkDeregisterIntervalMinMs?: number}

export interface LocalAgentDeps {
  config: RegistryConfig
  env: Env
  log: Logger
  nodeId: string
  /** The node address registered in the catalog. */
  nodeAddress: string
  /** The seam to the catalog: anti-entropy reads and writes through it (Catalog.*, Health.*). */
  rpc: RpcDelegate
  /**
   * A server's replicated store, read by alias checks that watch another node. A client
   * agent has none: its alias checks of other nodes run Health.NodeChecks blocking queries.
   */
  state?(): StateStore
  /** Real sockets and processes by default. */
  probers?: Probers
  /** The agent's plugin registry; dc's built-in check types only by default. */
  types?: CheckTypeLookup
  /** Files under data_dir by default; nothing persists without a data dir. */
  persistence?: LocalPersistence
  /** How the node is registered; by default the shape the leader registers. */
  nodeInfo?: () => NodeInfo
  /** LAN cluster size for the anti-entropy stagger; by default the catalog's node count. */
  clusterSize?: () => number
}

export const DEFAULT_REAP_INTERVAL_MS = 30_000
export const DEFAULT_DEREGISTER_MIN_MS = 60_000

/**
 * The agent's own services and checks: registration rules, check runners, maintenance
 * mode, persistence, the critical-service reaper and anti-entropy to the catalog.
 * Handlers call it through AgentContext.local.
 */
export class LocalAgent {
  readonly state: LocalState
  private config: RegistryConfig
  private readonly runners = new Map<string, CheckRunner>()
  /** Alias checks of other nodes on an agent without the replicated store (created on first use). */
  private remoteAlias?: RemoteAliasChecks
  private readonly ae: AntiEntropy
  private readonly persistence: LocalPersistence
  private readonly probers: Probers
  private readonly types: CheckTypeLookup
  private readonly nodeInfo: () => NodeInfo
  private reaper?: TimerHandle
  private started = false
  private configLoaded = false

  constructor(private readonly d: LocalAgentDeps) {
    this.config = d.config
    this.probers = d.probers ?? createNodeProbers()
    this.types = d.types ?? builtinCheckTypes()
    this.persistence = d.persistence ?? (d.config.dataDir ? filePersistence(d.config.dataDir, d.log) : memoryPersistence())
    this.nodeInfo = d.nodeInfo ?? (() => defaultNodeInfo(this.config, d.nodeId, d.nodeAddress))
    this.state = new LocalState({
      env: d.env,
      nodeName: d.config.nodeName,
      checkUpdateIntervalMs: d.config.checkUpdateIntervalMs,
      discardCheckOutput: d.config.discardCheckOutput,
      onSyncNeeded: () => this.ae.triggerChanges(),
    })
    const syncer = new Syncer(this.state, rpcCatalog(d.rpc), this.nodeInfo, d.env, d.log)
    this.ae = new AntiEntropy({
      env: d.env,
      log: d.log,
      sync: syncer,
      clusterSize: d.clusterSize ?? (() => Math.max(1, d.state?.().nodes().value.length ?? 1)),
      intervalMs: d.config.aeIntervalMs,
    })
  }

  get nodeName(): string {
    return this.config.nodeName
  }

  get datacenter(): string {
    return this.config.datacenter
  }

  /** Anti-entropy's state, for tests and /v1/agent/self. */
  get syncState(): string {
    return this.ae.state
  }

  // --- lifecycle ----------------------------------------------------------------------

  /** Loads config-file and persisted registrations, starts checks, the reaper and anti-entropy. */
  async start(): Promise<void> {
    if (this.started) return
    if (!this.configLoaded) this.loadFromConfig()
    this.loadPersisted()
    this.started = true
    for (const r of this.runners.values()) r.start()
    this.armReaper()
    this.ae.start()
  }

  async stop(): Promise<void> {
    this.started = false
    this.reaper?.cancel()
    for (const r of this.runners.values()) r.stop()
    this.remoteAlias?.close()
    this.ae.stop()
    this.state.stop()
  }

  /**
   * Registers the services and checks of the config files; start() does it if not done
   * before. Throws DefinitionError (bad definition) or LocalError (script checks off)
   * without registering anything, so a composition root can fail fast before Raft starts.
   */
  loadFromConfig(): void {
    const {services, checks} = parseConfigDefinitions(this.config.services, this.config.checks)
    this.validateChecks(services, checks, 'config')
    this.configLoaded = true
    for (const s of services) this.addServiceInternal(s, 'config', {replaceExistingChecks: false})
    for (const c of checks) this.addCheckInternal(c, 'config')
  }

  /**
   * Re-reads services and checks from a new config (SIGHUP, /v1/agent/reload): adds
   * new ones, replaces changed ones (keeping check status), removes config ones that
   * are gone. API registrations are untouched. A bad definition changes nothing.
   */
  async reload(config: RegistryConfig): Promise<void> {
    const next = parseConfigDefinitions(config.services, config.checks)
    const prevConfig = this.config
    this.config = {...config, nodeName: prevConfig.nodeName}
    try {
      this.validateChecks(next.services, next.checks, 'config')
    } catch (e) {
      this.config = prevConfig
      throw e
    }
    const wantServices = new Set(next.services.map((s) => s.id))
    const wantChecks = new Set(next.checks.map((c) => c.id))
    for (const e of this.state.liveServices()) if (e.source === 'config' && !wantServices.has(e.def.id)) this.removeServiceInternal(e.def.id)
    for (const c of this.state.liveChecks()) if (c.source === 'config' && !c.record.ServiceID && !wantChecks.has(c.record.CheckID)) this.removeCheckInternal(c.record.CheckID)
    for (const s of next.services) {
      const cur = this.state.service(s.id)
      if (cur && cur.source === 'config' && deepEqual(cur.def, s)) continue
      this.addServiceInternal(s, 'config', {replaceExistingChecks: true})
    }
    for (const c of next.checks) {
      const cur = this.state.check(c.id)
      if (cur && cur.source === 'config' && deepEqual(cur.def, c)) continue
      this.addCheckInternal(c, 'config')
    }
    await this.syncChanges()
  }

  /** Waits until current local changes were offered to the catalog (errors are logged, not thrown). */
  syncChanges(): Promise<void> {
    return this.ae.flush()
  }

  /** Force a full anti-entropy sync (e.g. a leader was elected). */
  requestFullSync(): void {
    this.ae.requestFull()
  }

  // --- reads ----------------------------------------------------------------------------

  services(): NodeService[] {
    return this.state.liveServices().map((e) => e.record).sort((a, b) => cmp(a.ID, b.ID))
  }

  service(id: string): NodeService | undefined {
    return this.state.service(id)?.record
  }

  servicesByName(name: string): NodeService[] {
    return this.services().filter((s) => s.Service === name)
  }

  checks(): HealthCheck[] {
    return this.state.liveChecks().map((c) => c.record).sort((a, b) => cmp(a.CheckID, b.CheckID))
  }

  checksOfService(serviceId: string): HealthCheck[] {
    return this.state.checksOfService(serviceId).map((c) => c.record).sort((a, b) => cmp(a.CheckID, b.CheckID))
  }

  /** cb runs on any change of local services or checks; returns an unsubscribe function. */
  onChange(cb: () => void): () => void {
    return this.state.onChange(cb)
  }

  // --- writes (API) --------------------------------------------------------------------

  /** /v1/agent/service/register: validates, registers with checks, persists. */
  addService(def: ServiceDefinition, opts: {replaceExistingChecks?: boolean} = {}): void {
    const existing = this.state.service(def.id)
    if (existing && existing.record.Service !== def.name) {
      throw new LocalError(400, `Invalid service: ID ${JSON.stringify(def.id)} is already registered with name ${JSON.stringify(existing.record.Service)} (field ID); deregister it first or use another ID`)
    }
    this.validateChecks([def], [], 'api')
    this.addServiceInternal(def, 'api', {replaceExistingChecks: opts.replaceExistingChecks ?? false})
  }

  removeService(id: string): void {
    if (!this.state.service(id)) throw new LocalError(404, `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`)
    this.removeServiceInternal(id)
  }

  /** /v1/agent/check/register (a standalone check, optionally attached to a local service). */
  addCheck(def: CheckDefinition): void {
    if (def.serviceId && !this.state.service(def.serviceId)) throw new LocalError(404, `ServiceID ${JSON.stringify(def.serviceId)} does not exist`)
    this.validateChecks([], [def], 'api')
    this.addCheckInternal(def, 'api')
  }

  removeCheck(id: string): void {
    if (!this.state.check(id)) throw new LocalError(404, `Unknown check ID ${JSON.stringify(id)}. Ensure that the check ID is passed, not the check name.`)
    this.removeCheckInternal(id)
  }

  /** /v1/agent/check/pass|warn|fail|update: a TTL check's new status and note. */
  updateTtl(id: string, status: CheckStatus, output: string): void {
    // As Consul (vetCheckUpdateWithAuthorizer, then updateTTLCheck): an unknown check is a
    // 404, a known non-TTL check a 500. Heartbeat clients re-register on the 404.
    if (!this.state.check(id)) throw new LocalError(404, `Unknown check ID ${JSON.stringify(id)}. Ensure that the check ID is passed, not the check name.`)
    const r = this.runners.get(id)
    if (!r || !isTtlRunner(r)) throw new LocalError(500, `CheckID ${JSON.stringify(id)} does not have associated TTL`)
    r.setStatus(status, output)
  }

  setNodeMaintenance(enable: boolean, reason: string): void {
    if (!enable) {
      this.removeCheckInternal(NODE_MAINT_CHECK_ID)
      return
    }
    if (this.state.check(NODE_MAINT_CHECK_ID)) return
    this.addMaintenance({CheckID: NODE_MAINT_CHECK_ID, Name: 'Node Maintenance Mode', Notes: reason || DEFAULT_NODE_MAINT_REASON, ServiceID: ''})
    this.d.log.info('Node entered maintenance mode')
  }

  setServiceMaintenance(serviceId: string, enable: boolean, reason: string): void {
    if (!this.state.service(serviceId)) throw new LocalError(404, `No service registered with ID ${JSON.stringify(serviceId)}`)
    const id = SERVICE_MAINT_PREFIX + serviceId
    if (!enable) {
      this.removeCheckInternal(id)
      return
    }
    if (this.state.check(id)) return
    this.addMaintenance({CheckID: id, Name: 'Service Maintenance Mode', Notes: reason || DEFAULT_SERVICE_MAINT_REASON, ServiceID: serviceId})
    this.d.log.info('Service entered maintenance mode', {service: serviceId})
  }

  // --- internals ------------------------------------------------------------------------

  private validateChecks(services: ServiceDefinition[], checks: CheckDefinition[], source: Source): void {
    const all = [...services.flatMap((s) => s.checks), ...checks]
    for (const c of all) if (c.kind === 'plugin') this.validatePluginCheck(c)
    if (!all.some((c) => c.kind === 'script')) return
    if (source === 'api' && !this.config.enableScriptChecks) {
      throw new LocalError(400, "Invalid check: Args: Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true")
    }
    if (source === 'config' && !this.config.enableScriptChecks && !this.config.enableLocalScriptChecks) {
      throw new LocalError(400, "Invalid check: Args: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true")
    }
  }

  /** Rebuilds the runners of checks of these types (a plugin's config changed), keeping their status. */
  rebuildChecks(types: string[]): void {
    const wanted = new Set(types)
    for (const c of this.state.liveChecks()) {
      if (c.def?.kind === 'plugin' && wanted.has(c.def.pluginType)) this.addCheckInternal(c.def, c.source)
    }
  }

  /** A check of a plugin's type: the type must be registered, and it checks the definition itself. */
  private validatePluginCheck(c: CheckDefinition): void {
    const found = this.types.checkType(c.pluginType)
    if (!found) throw new LocalError(400, unknownCheckTypeMessage(c.pluginType, this.types.checkTypeNames()))
    if ((found.type.interval ?? 'required') === 'required' && c.intervalMs <= 0) {
      throw new LocalError(400, `Invalid check: Interval must be > 0 for ${c.pluginType} checks`)
    }
    if (typeof found.type.validate !== 'function') return
    try {
      found.type.validate(pluginCheckView(c, found.type))
    } catch (e) {
      throw new LocalError(400, `Invalid check: ${c.pluginType}: ${oneLine(e)}`)
    }
  }

  private addServiceInternal(def: ServiceDefinition, source: Source, opts: {replaceExistingChecks: boolean}): void {
    const checks = serviceCheckDefaults(def)
    const full: ServiceDefinition = {...def, checks}
    const record = serviceRecord(full)
    this.state.addService(full, record, source)
    for (const c of checks) this.addCheckInternal(c, source, record)
    if (opts.replaceExistingChecks) {
      const keep = new Set([...checks.map((c) => c.id), SERVICE_MAINT_PREFIX + def.id])
      for (const c of this.state.checksOfService(def.id)) if (!keep.has(c.record.CheckID)) this.removeCheckInternal(c.record.CheckID)
    }
    if (source === 'api') this.persistence.saveService(full)
  }

  private addCheckInternal(def: CheckDefinition, source: Source, svc?: NodeService): void {
    const service = svc ?? (def.serviceId ? this.state.service(def.serviceId)?.record : undefined)
    const fixed = this.clampDeregister(def)
    const prev = this.state.check(fixed.id)
    // Re-registering keeps the current status (Consul snapshots and restores check state).
    const status: HealthStatus = prev ? prev.record.Status : fixed.status || 'critical'
    const output = prev ? prev.record.Output : ''
    this.runners.get(fixed.id)?.stop()
    this.runners.delete(fixed.id)
    this.state.addCheck(checkRecord(fixed, this.config.nodeName, service, status, output), source, fixed)
    const runner = createCheckRunner(fixed, {
      env: this.d.env,
      log: this.d.log,
      notify: (id, st, out) => {
        if (this.runners.get(id) === runner) this.state.updateCheck(id, st, out)
      },
      probers: this.probers,
      nodeName: this.config.nodeName,
      alias: this.aliasSource(),
      datacenter: this.config.datacenter,
      types: this.types,
    })
    this.runners.set(fixed.id, runner)
    if (this.started) runner.start()
    if (source === 'api' && !svc) this.persistence.saveCheck({kind: 'check', def: fixed})
  }

  private clampDeregister(def: CheckDefinition): CheckDefinition {
    const min = this.config.checkDeregisterIntervalMinMs ?? DEFAULT_DEREGISTER_MIN_MS
    if (def.deregisterCriticalServiceAfterMs > 0 && def.deregisterCriticalServiceAfterMs < min) {
      this.d.log.warn('deregister_critical_service_after is below the minimum; using the minimum', {check: def.id, minimum_ms: min})
      return {...def, deregisterCriticalServiceAfterMs: min}
    }
    return def
  }

  private removeServiceInternal(id: string): void {
    for (const c of this.state.checksOfService(id)) {
      this.runners.get(c.record.CheckID)?.stop()
      this.runners.delete(c.record.CheckID)
      this.persistence.deleteCheck(c.record.CheckID)
    }
    if (this.state.removeService(id)) this.d.log.info('Deregistered service', {service: id})
    this.persistence.deleteService(id)
  }

  private removeCheckInternal(id: string): void {
    this.runners.get(id)?.stop()
    this.runners.delete(id)
    this.state.removeCheck(id)
    this.persistence.deleteCheck(id)
  }

  private addMaintenance(m: MaintenanceRecord): void {
    const svc = m.ServiceID ? this.state.service(m.ServiceID)?.record : undefined
    const record: HealthCheck = {
      Node: this.config.nodeName,
      CheckID: m.CheckID,
      Name: m.Name,
      Status: 'critical',
      Notes: m.Notes,
      Output: '',
      ServiceID: svc?.ID ?? '',
      ServiceName: svc?.Service ?? '',
      ServiceTags: svc ? [...svc.Tags] : [],
      Type: MAINTENANCE_TYPE,
      Definition: {},
      CreateIndex: 0,
      ModifyIndex: 0,
    }
    this.state.addCheck(record, 'api')
    this.persistence.saveCheck({kind: 'maintenance', record: m})
  }

  private loadPersisted(): void {
    const {services, checks} = this.persistence.load()
    for (const s of services) {
      if (this.state.service(s.id)) {
        this.d.log.debug('service exists in config, not restoring from file', {service: s.id})
        continue
      }
      try {
        this.validateChecks([s], [], 'api')
        this.addServiceInternal(s, 'api', {replaceExistingChecks: false})
      } catch (e) {
        this.d.log.warn('skipping persisted service', {service: s.id, error: (e as Error).message})
      }
    }
    for (const c of checks) {
      try {
        if (c.kind === 'maintenance') {
          if (c.record.ServiceID && !this.state.service(c.record.ServiceID)) continue
          this.addMaintenance(c.record)
        } else if (!this.state.check(c.def.id)) {
          if (c.def.serviceId && !this.state.service(c.def.serviceId)) continue
          this.validateChecks([], [c.def], 'api')
          this.addCheckInternal(c.def, 'api')
        }
      } catch (e) {
        this.d.log.warn('skipping persisted check', {error: (e as Error).message})
      }
    }
  }

  /** Consul's reapServices: removes services whose check has been critical longer than allowed. */
  private armReaper(): void {
    const every = this.config.checkReapIntervalMs ?? DEFAULT_REAP_INTERVAL_MS
    this.reaper = this.d.env.timers.every(every, () => this.reapCritical())
  }

  reapCritical(): void {
    const now = this.d.env.clock.nowMs()
    for (const c of this.state.liveChecks()) {
      const after = c.def?.deregisterCriticalServiceAfterMs ?? 0
      const sid = c.record.ServiceID
      if (!after || !sid || c.criticalSinceMs === undefined) continue
      if (now - c.criticalSinceMs <= after) continue
      if (!this.state.service(sid)) continue
      this.d.log.info('Check for service has been critical for too long; deregistered service', {service: sid, check: c.record.CheckID})
      this.removeServiceInternal(sid)
    }
  }

  /**
   * Alias checks read the local state for this node and, for others, the replicated store on
   * a server or Health.NodeChecks blocking queries through the RPC seam on a client agent.
   */
  private aliasSource(): AliasSource {
    const own = () => this.config.nodeName
    const remote = () =>
      (this.remoteAlias ??= new RemoteAliasChecks(
        async (req, signal) => {
          const r = await this.d.rpc('Health.NodeChecks', req as never, signal)
          return {index: r.meta.index, checks: r.value}
        },
        this.d.env.timers,
        this.d.log.named('alias'),
        async (req) => ((await this.d.rpc('Catalog.NodeServices', req as never)).value as {Services?: {ID: string}[]} | null)?.Services?.map((s) => s.ID) ?? [],
      ))
    return {
      checks: (node) => (node === own() ? this.checks() : this.d.state ? this.d.state().nodeChecks(node).value : remote().checks(node)),
      error: (node) => (node === own() || this.d.state ? undefined : remote().error(node)),
      serviceExists: (node, id) => {
        if (node === own()) return this.state.service(id) !== undefined
        if (this.d.state) return this.d.state().nodeServices(node).value?.Services.some((s) => s.ID === id) ?? false
        return remote().serviceExists(node, id)
      },
      watch: (node, cb) => {
        if (node === own()) {
          let fired = false
          const off = this.state.onChange(() => {
            if (fired) return
            fired = true
            off()
            cb()
          })
          return off
        }
        if (!this.d.state) return remote().watch(node, cb)
        const st = this.d.state()
        const ws = new WatchSet()
        st.nodeChecks(node, ws)
        return st.hub.wait(ws, cb)
      },
    }
  }
}

/** This node's catalog record; server/leader.ts registers the same one, so the two never disagree. */
export function defaultNodeInfo(config: RegistryConfig, nodeId: string, address: string): NodeInfo {
  return {
    ID: nodeId,
    Node: config.nodeName,
    Address: address,
    Datacenter: config.datacenter,
    // wan: -advertise-wan when set (what other datacenters reach), else the LAN address, as Consul.
    TaggedAddresses: taggedAddresses(address, config.advertiseAddrWan || address),
    NodeMeta: {'consul-network-segment': '', ...config.nodeMeta},
  }
}

/** Consul's node TaggedAddresses: lan/wan and their _ipv4/_ipv6 forms by address family. */
function taggedAddresses(lan: string, wan: string): Record<string, string> {
  const fam = (a: string) => (a.includes(':') ? 'ipv6' : 'ipv4')
  return {lan, [`lan_${fam(lan)}`]: lan, wan, [`wan_${fam(wan)}`]: wan}
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
