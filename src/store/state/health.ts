import {bumpService, maxIndexForService, updateAllServiceIndexesOfNode} from './catalog-index.js'
import {pairKey} from './catalog-tables.js'
import {errMissingNode, errMissingService} from './errors.js'
import {sameRecord} from './equal.js'
import {lower} from './keys.js'
import {sessionDestroyTxn} from './session.js'
import type {Tables} from './tables.js'
import type {CheckServiceNode, HealthCheck, HealthStatus} from './types.js'
import type {WatchSet} from './watch.js'

/**
 * Insert or update a check (Consul's ensureCheckTxn). The node (and the service,
 * for a service check) must exist; ServiceName/ServiceTags are copied from the
 * service. An unchanged check is not rewritten, but a critical status always
 * invalidates the sessions that depend on the check.
 */
export function ensureCheckTxn(t: Tables, idx: number, hc: HealthCheck, now: number): void {
  const existing = t.checks.getOn(hc.Node, hc.CheckID)
  if (!t.nodes.byName(hc.Node)) throw errMissingNode()
  const next: HealthCheck = {...hc, CreateIndex: existing ? existing.CreateIndex : idx, ModifyIndex: idx}
  let modified = true
  if (next.ServiceID) {
    const row = t.services.getOn(next.Node, next.ServiceID)
    if (!row) throw errMissingService()
    next.ServiceName = row.Service.Service
    next.ServiceTags = [...row.Service.Tags]
    if (existing && sameRecord(existing, next)) modified = false
    else {
      bumpService(t, idx, row.Service.Service)
      if (existing?.ServiceName && lower(existing.ServiceName) !== lower(next.ServiceName)) {
        bumpService(t, idx, existing.ServiceName)
      }
    }
  } else if (existing && sameRecord(existing, next)) {
    modified = false
  } else {
    updateAllServiceIndexesOfNode(t, idx, next.Node)
  }
  if (next.Status === 'critical') {
    for (const id of t.sessions.forCheck(next.Node, next.CheckID)) sessionDestroyTxn(t, idx, id, now)
  }
  if (!modified) return
  t.checks.set(pairKey(next.Node, next.CheckID), next)
  t.ctx.index.bump('checks', idx)
}

/** Remove a check; sessions that depend on it are invalidated. Missing is a no-op. */
export function deleteCheckTxn(t: Tables, idx: number, node: string, checkId: string, now: number): void {
  const existing = t.checks.getOn(node, checkId)
  if (!existing) return
  if (existing.ServiceID) bumpService(t, idx, existing.ServiceName)
  else {
    updateAllServiceIndexesOfNode(t, idx, existing.Node)
    t.ctx.index.bump('services', idx)
  }
  t.checks.delete(pairKey(node, checkId))
  t.ctx.index.bump('checks', idx)
  for (const id of t.sessions.forCheck(node, checkId)) sessionDestroyTxn(t, idx, id, now)
}

/** Set a check's status and output, keeping the rest. False if the check does not exist. */
export function updateCheckStatusTxn(
  t: Tables,
  idx: number,
  node: string,
  checkId: string,
  status: HealthStatus,
  output: string,
  now: number,
): boolean {
  const existing = t.checks.getOn(node, checkId)
  if (!existing) return false
  ensureCheckTxn(t, idx, {...existing, Status: status, Output: output}, now)
  return true
}

export type CheckStateFilter = 'any' | 'passing' | 'warning' | 'critical' | 'maintenance'

export function nodeCheck(t: Tables, node: string, checkId: string): {index: number; value: HealthCheck | undefined} {
  return {index: t.ctx.index.max('checks'), value: t.checks.getOn(node, checkId)}
}

export function nodeChecks(t: Tables, node: string, ws?: WatchSet): {index: number; value: HealthCheck[]} {
  ws?.add('checks:node:' + lower(node))
  return {index: t.ctx.index.max('checks'), value: t.checks.onNode(node)}
}

/** Checks whose ServiceName is name (case-insensitive). */
export function serviceChecks(t: Tables, name: string, ws?: WatchSet): {index: number; value: HealthCheck[]} {
  ws?.add('checks:service:' + lower(name))
  return {index: t.ctx.index.max('checks'), value: t.checks.forServiceName(name)}
}

export function checksInState(t: Tables, state: CheckStateFilter, ws?: WatchSet): {index: number; value: HealthCheck[]} {
  ws?.add('table:checks')
  const value = state === 'any' ? t.checks.all() : t.checks.inStatus(state)
  return {index: t.ctx.index.max('checks'), value}
}

/** Tag filter: every wanted tag must be on the instance, case-insensitively. */
export function hasTags(serviceTags: readonly string[], wanted: readonly string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true
  const have = new Set(serviceTags.map(lower))
  return wanted.every((w) => have.has(lower(w)))
}

/**
 * Every instance of a service with its node and the checks that apply (the
 * node's node-level checks, then the instance's own), in (node, ID) order.
 * O(instances): rows come from the by-name index, checks from the
 * (node, service ID) index. Watches only the service-specific key.
 */
export function checkServiceNodes(
  t: Tables,
  name: string,
  tags?: readonly string[],
  ws?: WatchSet,
): {index: number; value: CheckServiceNode[]} {
  ws?.add('svc:' + lower(name))
  const rows = t.services.byName(name)
  const index = maxIndexForService(t, name, rows.length > 0, true)
  const value: CheckServiceNode[] = []
  for (const row of rows) {
    if (!hasTags(row.Service.Tags, tags)) continue
    const node = t.nodes.byName(row.Node)
    if (!node) throw new Error(`state store corrupt: service ${row.Service.ID} on missing node ${row.Node}`)
    const nodeChecks = t.checks.forNodeService(row.Node, '')
    const svcChecks = t.checks.forNodeService(row.Node, row.Service.ID)
    const checks = nodeChecks.length === 0 ? svcChecks : svcChecks.length === 0 ? nodeChecks : nodeChecks.concat(svcChecks)
    value.push({Node: node, Service: row.Service, Checks: checks})
  }
  return {index, value}
}
