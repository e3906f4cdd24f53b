import * as autopilot from './autopilot.js'
import {AutopilotConfigTable} from './autopilot.js'
import {CheckTable, NodeTable, ServiceTable} from './catalog-tables.js'
import * as catalog from './catalog.js'
import {StoreContext} from './context.js'
import {CoordinateTable} from './coordinate-table.js'
import * as coordinate from './coordinates.js'
import {LockDelayTable} from './delay.js'
import {TombstoneTable} from './graveyard.js'
import * as health from './health.js'
import * as kv from './kv.js'
import {KvTable} from './kv-table.js'
import * as preparedQuery from './prepared-query.js'
import {PreparedQueryTable} from './query-table.js'
import type {PreparedQuery, QuerySource} from './query-types.js'
import type {DeregisterRequest, KVInput, RegisterRequest, SessionInput} from './requests.js'
import * as session from './session.js'
import {SessionTable} from './session-table.js'
import * as systemMetadata from './system-metadata.js'
import {SystemMetadataTable, type SystemMetadataEntry} from './system-metadata.js'
import type {Tables} from './tables.js'
import * as txn from './txn.js'
import type {
  AutopilotConfig,
  AutopilotConfigInput,
  CheckServiceNode,
  HealthCheck,
  HealthStatus,
  CoordinateEntry,
  Indexed,
  KVEntry,
  Node,
  NodeService,
  NodeServices,
  Session,
  ServiceNodeRow,
} from './types.js'
import {WatchHub, type WatchSet} from './watch.js'

/** Index-table names accepted by maxIndex (plus `service.<name>`, `node.<name>`). */
export type TableName =
  | 'kvs'
  | 'tombstones'
  | 'sessions'
  | 'nodes'
  | 'services'
  | 'checks'
  | 'service_last_extinction'
  | 'node_last_extinction'
  | 'coordinates'
  | 'prepared-queries'
  | 'autopilot-config'
  | 'system-metadata'

export interface StateStoreOptions {
  /** Receives errors thrown by watch callbacks (default: rethrown after all callbacks ran). */
  onWatchError?: (err: unknown) => void
}

/**
 * The replicated state store (Consul's state.Store), in memory. Pure and
 * synchronous: every write takes the Raft index `idx` that applies it and, where
 * sessions may be invalidated, the leader-stamped `now` (ms) for lock-delays.
 * Each public write is atomic: on a StateError nothing changed. Reads take an
 * optional WatchSet and return records by reference: treat them as read-only
 * (they are frozen).
 */
export class StateStore {
  readonly tables: Tables

  constructor(opts: StateStoreOptions = {}) {
    const ctx = new StoreContext(new WatchHub(opts.onWatchError))
    this.tables = {
      ctx,
      kv: new KvTable(ctx),
      tombstones: new TombstoneTable(ctx),
      delays: new LockDelayTable(ctx),
      sessions: new SessionTable(ctx),
      nodes: new NodeTable(ctx),
      services: new ServiceTable(ctx),
      checks: new CheckTable(ctx),
      coordinates: new CoordinateTable(ctx),
      queries: new PreparedQueryTable(ctx),
      autopilot: new AutopilotConfigTable(ctx),
      systemMetadata: new SystemMetadataTable(ctx),
    }
  }

  private get t(): Tables {
    return this.tables
  }

  // ---- watches and indexes ----

  /** Park blocking queries here: `store.hub.wait(ws, cb)`. */
  get hub(): WatchHub {
    return this.t.ctx.hub
  }

  get abandoned(): boolean {
    return this.t.ctx.hub.isAbandoned
  }

  /** Wake every waiter for good (the FSM swapped this store out on restore). */
  abandon(): void {
    this.t.ctx.hub.abandon()
  }

  /** Highest index among the named index-table entries (0 if none). */
  maxIndex(...tables: (TableName | `service.${string}` | `node.${string}`)[]): number {
    return this.t.ctx.index.max(...tables)
  }

  /** Run several writes as one atomic unit (nested writes are savepoints). */
  write<T>(fn: () => T): T {
    return this.t.ctx.write(fn)
  }

  // ---- KV ----

  kvGet(key: string, ws?: WatchSet): {index: number; entry: KVEntry | undefined} {
    return kv.kvGet(this.t, key, ws)
  }

  kvList(prefix: string, ws?: WatchSet): {index: number; entries: KVEntry[]} {
    return kv.kvList(this.t, prefix, ws)
  }

  kvKeys(prefix: string, separator: string, ws?: WatchSet): {index: number; keys: string[]} {
    return kv.kvKeys(this.t, prefix, separator, ws)
  }

  /** Lock-delay expiry of key in ms (0 if none); the leader may refuse an acquire early with it. */
  kvLockDelay(key: string): number {
    return this.t.delays.expiry(key)
  }

  kvSet(idx: number, entry: KVInput): void {
    this.write(() => kv.kvSetTxn(this.t, idx, entry))
  }

  /** casIndex 0: create only; else the key's ModifyIndex must equal casIndex. */
  kvSetCAS(idx: number, entry: KVInput, casIndex: number): boolean {
    return this.write(() => kv.kvSetCASTxn(this.t, idx, entry, casIndex) !== undefined)
  }

  /** Throws StateError for an empty or unknown session; false when held by another or lock-delayed. */
  kvLock(idx: number, entry: KVInput, session: string, now: number): boolean {
    return this.write(() => kv.kvLockTxn(this.t, idx, entry, session, now) !== undefined)
  }

  kvUnlock(idx: number, entry: KVInput, session: string): boolean {
    return this.write(() => kv.kvUnlockTxn(this.t, idx, entry, session) !== undefined)
  }

  kvDelete(idx: number, key: string): void {
    this.write(() => kv.kvDeleteTxn(this.t, idx, key))
  }

  kvDeleteCAS(idx: number, casIndex: number, key: string): boolean {
    return this.write(() => kv.kvDeleteCASTxn(this.t, idx, casIndex, key))
  }

  kvDeleteTree(idx: number, prefix: string): void {
    this.write(() => kv.kvDeleteTreeTxn(this.t, idx, prefix))
  }

  /** Drop tombstones with Index <= upTo (the leader's tombstone GC). */
  reapTombstones(_idx: number, upTo: number): void {
    this.write(() => this.t.tombstones.reap(upTo))
  }

  // ---- sessions ----

  sessionCreate(idx: number, input: SessionInput): Session {
    return this.write(() => session.sessionCreateTxn(this.t, idx, input))
  }

  sessionDestroy(idx: number, id: string, now: number): void {
    this.write(() => session.sessionDestroyTxn(this.t, idx, id, now))
  }

  sessionGet(id: string, ws?: WatchSet): Indexed<Session | undefined> {
    return session.sessionGet(this.t, id, ws)
  }

  sessionList(ws?: WatchSet): Indexed<Session[]> {
    return session.sessionList(this.t, ws)
  }

  sessionsForNode(node: string, ws?: WatchSet): Indexed<Session[]> {
    return session.sessionsForNode(this.t, node, ws)
  }

  // ---- catalog writes ----

  ensureRegistration(idx: number, req: RegisterRequest, now = 0): void {
    this.write(() => catalog.ensureRegistrationTxn(this.t, idx, req, now))
  }

  /** Consul's deregister: ServiceID wins, then CheckID, else the whole node. */
  deregister(idx: number, req: DeregisterRequest, now = 0): void {
    if (req.ServiceID) this.deleteService(idx, req.Node, req.ServiceID, now)
    else if (req.CheckID) this.deleteCheck(idx, req.Node, req.CheckID, now)
    else this.deleteNode(idx, req.Node, now)
  }

  deleteNode(idx: number, node: string, now = 0): void {
    this.write(() => catalog.deleteNodeTxn(this.t, idx, node, now))
  }

  deleteService(idx: number, node: string, serviceId: string, now = 0): void {
    this.write(() => catalog.deleteServiceTxn(this.t, idx, node, serviceId, now))
  }

  deleteCheck(idx: number, node: string, checkId: string, now = 0): void {
    this.write(() => health.deleteCheckTxn(this.t, idx, node, checkId, now))
  }

  /** False when the check does not exist. A critical status invalidates dependent sessions. */
  updateCheckStatus(idx: number, node: string, checkId: string, status: HealthStatus, output: string, now = 0): boolean {
    return this.write(() => health.updateCheckStatusTxn(this.t, idx, node, checkId, status, output, now))
  }

  // ---- catalog and health reads ----

  nodes(ws?: WatchSet): Indexed<Node[]> {
    return catalog.nodes(this.t, ws)
  }

  node(name: string, ws?: WatchSet): Indexed<Node | undefined> {
    return catalog.node(this.t, name, ws)
  }

  services(ws?: WatchSet): Indexed<Map<string, string[]>> {
    return catalog.services(this.t, ws)
  }

  serviceNodes(name: string, tags?: readonly string[], ws?: WatchSet): Indexed<ServiceNodeRow[]> {
    return catalog.serviceNodes(this.t, name, tags, ws)
  }

  nodeServices(nodeNameOrId: string, ws?: WatchSet): Indexed<NodeServices | undefined> {
    return catalog.nodeServices(this.t, nodeNameOrId, ws)
  }

  nodeService(node: string, serviceId: string): Indexed<NodeService | undefined> {
    return catalog.nodeService(this.t, node, serviceId)
  }

  nodeChecks(node: string, ws?: WatchSet): Indexed<HealthCheck[]> {
    return health.nodeChecks(this.t, node, ws)
  }

  nodeCheck(node: string, checkId: string): Indexed<HealthCheck | undefined> {
    return health.nodeCheck(this.t, node, checkId)
  }

  serviceChecks(name: string, ws?: WatchSet): Indexed<HealthCheck[]> {
    return health.serviceChecks(this.t, name, ws)
  }

  checksInState(state: health.CheckStateFilter, ws?: WatchSet): Indexed<HealthCheck[]> {
    return health.checksInState(this.t, state, ws)
  }

  checkServiceNodes(name: string, tags?: readonly string[], ws?: WatchSet): Indexed<CheckServiceNode[]> {
    return health.checkServiceNodes(this.t, name, tags, ws)
  }

  // ---- network coordinates ----

  /** Consul's CoordinateBatchUpdate: unknown nodes and invalid coordinates are skipped. */
  coordinateBatchUpdate(idx: number, updates: readonly CoordinateEntry[]): void {
    this.write(() => coordinate.coordinateBatchUpdateTxn(this.t, idx, updates))
  }

  /** All coordinates (node, then segment order). */
  coordinates(ws?: WatchSet): Indexed<CoordinateEntry[]> {
    return coordinate.coordinates(this.t, ws)
  }

  /** One node's coordinates, one per segment (empty when none). */
  nodeCoordinates(node: string, ws?: WatchSet): Indexed<CoordinateEntry[]> {
    return coordinate.nodeCoordinates(this.t, node, ws)
  }

  // ---- prepared queries ----

  /** Create or update (ID set by the caller); throws StateError as Consul's state store refuses. */
  preparedQuerySet(idx: number, query: PreparedQuery): PreparedQuery {
    return this.write(() => preparedQuery.preparedQuerySetTxn(this.t, idx, query))
  }

  preparedQueryDelete(idx: number, id: string): void {
    this.write(() => preparedQuery.preparedQueryDeleteTxn(this.t, idx, id))
  }

  preparedQueryGet(id: string, ws?: WatchSet): Indexed<PreparedQuery | undefined> {
    return preparedQuery.preparedQueryGet(this.t, id, ws)
  }

  preparedQueryList(ws?: WatchSet): Indexed<PreparedQuery[]> {
    return preparedQuery.preparedQueryList(this.t, ws)
  }

  /** By ID, exact name, or longest template prefix (rendered for the name); undefined when none. */
  preparedQueryResolve(idOrName: string, source: QuerySource): Indexed<PreparedQuery | undefined> {
    return preparedQuery.preparedQueryResolve(this.t, idOrName, source)
  }

  // ---- autopilot configuration ----

  /** The replicated autopilot configuration; undefined until the first leader writes it. */
  autopilotConfig(ws?: WatchSet): Indexed<AutopilotConfig | undefined> {
    return autopilot.autopilotConfig(this.t, ws)
  }

  autopilotSetConfig(idx: number, config: AutopilotConfigInput): void {
    this.write(() => autopilot.autopilotSetConfigTxn(this.t, idx, config))
  }

  /** Check-and-set on ModifyIndex; false (nothing written) when it does not match or no config exists. */
  autopilotCASConfig(idx: number, cas: number, config: AutopilotConfigInput): boolean {
    return this.write(() => autopilot.autopilotCASConfigTxn(this.t, idx, cas, config))
  }

  // ---- system metadata (Consul's table of the servers' own key/values) ----

  systemMetadataGet(key: string, ws?: WatchSet): {index: number; entry: SystemMetadataEntry | undefined} {
    return systemMetadata.systemMetadataGet(this.t, key, ws)
  }

  /** Sets a key; with createOnly, false (nothing written) when it exists. */
  systemMetadataSet(idx: number, entry: {Key: string; Value: string}, createOnly = false): boolean {
    return this.write(() => systemMetadata.systemMetadataSetTxn(this.t, idx, entry, createOnly))
  }

  systemMetadataDelete(idx: number, key: string): void {
    this.write(() => systemMetadata.systemMetadataDeleteTxn(this.t, idx, key))
  }

  // ---- txn ----

  /** Atomic /v1/txn at index idx; on any op error nothing is written. */
  txn(idx: number, ops: readonly txn.TxnOp[], now: number): txn.TxnResponse {
    return txn.txnWrite(this.t, idx, ops, now)
  }

  /** Read-only /v1/txn without Raft. */
  txnRead(ops: readonly txn.TxnOp[]): txn.TxnResponse {
    return txn.txnRead(this.t, ops)
  }
}
