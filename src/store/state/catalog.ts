import {
  NODE_EXTINCTION,
  SERVICE_EXTINCTION,
  bumpService,
  maxIndexForService,
  nodeIndexName,
  serviceIndexName,
  updateAllServiceIndexesOfNode,
} from './catalog-index.js'
import {pairKey} from './catalog-tables.js'
import {deleteNodeCoordinatesTxn} from './coordinates.js'
import {StateError, errMissingNode, quote} from './errors.js'
import {deepEqual, sameRecord} from './equal.js'
import {deleteCheckTxn, ensureCheckTxn, hasTags} from './health.js'
import {compareKeys, lower} from './keys.js'
import {checkFromInput, nodeFromRegister, serviceFromInput} from './normalize.js'
import type {RegisterRequest} from './requests.js'
import {sessionDestroyTxn} from './session.js'
import type {Tables} from './tables.js'
import type {Node, NodeService, NodeServices, ServiceNode, ServiceNodeRow} from './types.js'
import type {WatchSet} from './watch.js'

const SERF_CHECK_ID = 'serfHealth'

/** Re-throw a StateError with Consul's context prefix (e.g. "failed inserting node: "). */
function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof StateError) throw new StateError(err.code, prefix + err.message)
    throw err
  }
}

/** Consul's RegisterRequest.ChangesNode. */
function changesNode(req: RegisterRequest, node: Node): boolean {
  if (req.SkipNodeUpdate) return false
  return (
    (req.ID ?? '') !== node.ID ||
    lower(req.Node) !== lower(node.Node) ||
    (req.Address ?? '') !== node.Address ||
    (req.Datacenter ?? '') !== node.Datacenter ||
    !deepEqual(req.TaggedAddresses ?? {}, node.TaggedAddresses) ||
    !deepEqual(req.NodeMeta ?? {}, node.Meta)
  )
}

/**
 * Node, service and checks of one registration, atomically. Each part is
 * written only when it changed, so ModifyIndex moves only on real changes.
 */
export function ensureRegistrationTxn(t: Tables, idx: number, req: RegisterRequest, now: number): void {
  const existing = t.nodes.byName(req.Node)
  if (!existing || changesNode(req, existing)) {
    wrap('failed inserting node: ', () => ensureNodeTxn(t, idx, nodeFromRegister(req), now))
  }
  if (req.Service) {
    const svc = serviceFromInput(req.Service)
    const current = t.services.getOn(req.Node, svc.ID)
    if (!current || !sameRecord(current.Service, svc)) {
      wrap('failed inserting service: ', () => ensureServiceTxn(t, idx, req.Node, svc))
    }
  }
  for (const input of [...(req.Check ? [req.Check] : []), ...(req.Checks ?? [])]) {
    const hc = checkFromInput(input, req.Node)
    if (lower(hc.Node) !== lower(req.Node)) {
      throw new StateError('check-node-mismatch', `check node ${quote(hc.Node)} does not match node ${quote(req.Node)}`)
    }
    wrap(`failed inserting check on node ${quote(hc.Node)}: `, () => ensureCheckTxn(t, idx, hc, now))
  }
}

/** Why another node holding this name blocks the write, or undefined (ensureNoNodeWithSimilarNameTxn). */
function nameConflict(t: Tables, node: Node, allowClashWithoutId: boolean): string | undefined {
  const other = t.nodes.byName(node.Node)
  if (!other || other.ID === node.ID) return undefined
  // A node whose serfHealth is missing or critical may lose its name.
  const serf = t.checks.getOn(other.Node, SERF_CHECK_ID)
  const healthy = serf !== undefined && serf.Status !== 'critical'
  if (!(other.ID === '' && allowClashWithoutId) && healthy) {
    return `Node name ${node.Node} is reserved by node ${other.ID} with name ${other.Node} (${other.Address})`
  }
  return undefined
}

/**
 * Upsert a node (Consul's ensureNodeTxn): a known node ID registered under a
 * new name renames the node (the old one is deleted first); a name held by a
 * healthy node with another ID is refused.
 */
export function ensureNodeTxn(t: Tables, idx: number, node: Node, now: number): Node {
  let prev: Node | undefined
  if (node.ID) {
    const byId = t.nodes.byNodeId(node.ID)
    if (byId) {
      prev = byId
      if (lower(byId.Node) !== lower(node.Node)) {
        const dup = nameConflict(t, node, false)
        if (dup) throw new StateError('node-conflict', `Error while renaming Node ID: ${quote(node.ID)} (${node.Address}): ${dup}`)
        deleteNodeTxn(t, idx, byId.Node, now)
      }
    } else {
      const dup = nameConflict(t, node, true)
      if (dup) throw new StateError('node-conflict', `Error while renaming Node ID: ${quote(node.ID)}: ${dup}`)
    }
  }
  prev ??= t.nodes.byName(node.Node)
  const next: Node = {...node, CreateIndex: idx, ModifyIndex: idx}
  if (prev) {
    next.CreateIndex = prev.CreateIndex
    if (sameRecord(prev, next)) return prev
  }
  t.nodes.set(lower(next.Node), next)
  t.ctx.index.bump('nodes', idx)
  t.ctx.index.bump(nodeIndexName(next.Node), idx)
  // Health queries embed the node, so every service on it moves too.
  updateAllServiceIndexesOfNode(t, idx, next.Node)
  return next
}

/** CAS variant for txn: ModifyIndex 0 creates only, else must match. */
export function ensureNodeCASTxn(t: Tables, idx: number, node: Node, cas: number, now: number): boolean {
  const existing = t.nodes.byName(node.Node)
  if (cas === 0 && existing) return false
  if (cas !== 0 && (!existing || existing.ModifyIndex !== cas)) return false
  ensureNodeTxn(t, idx, node, now)
  return true
}

/** The name of a service instance changed or vanished: keep its index or mark extinction. */
function afterServiceNameLeft(t: Tables, idx: number, name: string): void {
  if (t.services.hasName(name)) bumpService(t, idx, name)
  else {
    t.ctx.index.delete(serviceIndexName(name))
    t.ctx.index.bump(SERVICE_EXTINCTION, idx)
  }
}

/** Upsert a service instance on a registered node; unchanged → no write. */
export function ensureServiceTxn(t: Tables, idx: number, nodeName: string, svc: NodeService): NodeService {
  const existing = t.services.getOn(nodeName, svc.ID)
  if (!t.nodes.byName(nodeName)) throw errMissingNode()
  if (existing && sameRecord(existing.Service, svc)) return existing.Service
  const next: NodeService = Object.freeze({
    ...svc,
    CreateIndex: existing ? existing.Service.CreateIndex : idx,
    ModifyIndex: idx,
  })
  t.services.set(pairKey(nodeName, svc.ID), {Node: nodeName, Service: next})
  const ix = t.ctx.index
  ix.bump('services', idx)
  bumpService(t, idx, next.Service)
  ix.bump('nodes', idx)
  ix.bump(nodeIndexName(nodeName), idx)
  if (existing && lower(existing.Service.Service) !== lower(next.Service)) {
    afterServiceNameLeft(t, idx, existing.Service.Service)
  }
  return next
}

/** Remove a service instance and its checks. Missing is a no-op. */
export function deleteServiceTxn(t: Tables, idx: number, nodeName: string, serviceId: string, now: number): void {
  const row = t.services.getOn(nodeName, serviceId)
  if (!row) return
  for (const c of t.checks.forNodeService(nodeName, serviceId)) deleteCheckTxn(t, idx, nodeName, c.CheckID, now)
  const ix = t.ctx.index
  ix.bump('checks', idx)
  t.services.delete(pairKey(nodeName, serviceId))
  ix.bump('services', idx)
  ix.bump('nodes', idx)
  ix.bump(nodeIndexName(nodeName), idx)
  afterServiceNameLeft(t, idx, row.Service.Service)
}

/** Remove a node with its services, checks and sessions. Missing is a no-op. */
export function deleteNodeTxn(t: Tables, idx: number, nodeName: string, now: number): void {
  const node = t.nodes.byName(nodeName)
  if (!node) return
  const rows = t.services.onNode(nodeName)
  for (const row of rows) bumpService(t, idx, row.Service.Service)
  for (const row of rows) deleteServiceTxn(t, idx, nodeName, row.Service.ID, now)
  for (const c of t.checks.onNode(nodeName)) deleteCheckTxn(t, idx, nodeName, c.CheckID, now)
  t.nodes.delete(lower(node.Node))
  const ix = t.ctx.index
  ix.bump('nodes', idx)
  ix.delete(nodeIndexName(node.Node))
  ix.bump(NODE_EXTINCTION, idx)
  deleteNodeCoordinatesTxn(t, idx, node.Node)
  for (const s of t.sessions.forNode(nodeName)) sessionDestroyTxn(t, idx, s.ID, now)
}

// ---- reads ----

export function nodes(t: Tables, ws?: WatchSet): {index: number; value: Node[]} {
  ws?.add('table:nodes')
  return {index: t.ctx.index.max('nodes'), value: t.nodes.list()}
}

export function node(t: Tables, name: string, ws?: WatchSet): {index: number; value: Node | undefined} {
  ws?.add('node:' + lower(name))
  return {index: t.ctx.index.max('nodes'), value: t.nodes.byName(name)}
}

/**
 * Service name → its tags (union over instances, sorted), names sorted.
 * Index: the services table (Consul's catalog services).
 */
export function services(t: Tables, ws?: WatchSet): {index: number; value: Map<string, string[]>} {
  ws?.add('table:services')
  const tags = new Map<string, Set<string>>()
  for (const row of t.services.all()) {
    let s = tags.get(row.Service.Service)
    if (!s) tags.set(row.Service.Service, (s = new Set()))
    for (const tag of row.Service.Tags) s.add(tag)
  }
  const value = new Map<string, string[]>()
  for (const name of [...tags.keys()].sort(compareKeys)) value.set(name, [...tags.get(name)!].sort(compareKeys))
  return {index: t.ctx.index.max('services'), value}
}

/** Instances of a service (optionally having all of tags) with their nodes. Index: Consul's maxIndexForService. */
export function serviceNodes(
  t: Tables,
  name: string,
  tags?: readonly string[],
  ws?: WatchSet,
): {index: number; value: ServiceNodeRow[]} {
  ws?.add('svc:' + lower(name))
  const rows = t.services.byName(name)
  const value: ServiceNodeRow[] = []
  for (const row of rows) {
    if (!hasTags(row.Service.Tags, tags)) continue
    value.push({Node: t.nodes.byName(row.Node)!, Service: row.Service})
  }
  return {index: maxIndexForService(t, name, rows.length > 0, false), value}
}

/**
 * A node (by name, or by exact node ID) and its services. Index: the per-node
 * index; for an unknown node value is undefined and the index is the
 * node-extinction index (0 for names shorter than 2, as Consul does).
 */
export function nodeServices(t: Tables, nameOrId: string, ws?: WatchSet): {index: number; value: NodeServices | undefined} {
  ws?.add('node:' + lower(nameOrId))
  const n = t.nodes.byName(nameOrId) ?? (nameOrId.length >= 2 ? t.nodes.byNodeId(nameOrId) : undefined)
  if (!n) return {index: nameOrId.length < 2 ? 0 : (t.ctx.index.get(NODE_EXTINCTION) ?? 0), value: undefined}
  if (lower(n.Node) !== lower(nameOrId)) ws?.add('node:' + lower(n.Node))
  const services = t.services.onNode(n.Node).map((r) => r.Service)
  return {index: t.ctx.index.get(nodeIndexName(n.Node)) ?? 0, value: {Node: n, Services: services}}
}

export function nodeService(t: Tables, nodeName: string, serviceId: string): {index: number; value: NodeService | undefined} {
  return {index: t.ctx.index.max('services'), value: t.services.getOn(nodeName, serviceId)?.Service}
}

/** Flatten a row into Consul's ServiceNode (the /v1/catalog/service/:name shape). */
export function toServiceNode(row: ServiceNodeRow): ServiceNode {
  const {Node: n, Service: s} = row
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter,
    TaggedAddresses: n.TaggedAddresses,
    NodeMeta: n.Meta,
    ServiceKind: s.Kind,
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: s.Tags,
    ServiceAddress: s.Address,
    ServiceTaggedAddresses: s.TaggedAddresses,
    ServiceWeights: s.Weights,
    ServiceMeta: s.Meta,
    ServicePort: s.Port,
    ServiceEnableTagOverride: s.EnableTagOverride,
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  }
}
