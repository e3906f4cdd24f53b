import {lower} from './keys.js'
import type {Tables} from './tables.js'

/**
 * Index-table bookkeeping shared by catalog and health writes. Besides the
 * table indexes (nodes, services, checks) Consul keeps `service.<name>` (bumped
 * by anything a health query of that service would see), `node.<name>`, and the
 * extinction indexes used when the last instance of a service/node goes away.
 */
export const serviceIndexName = (name: string): string => 'service.' + lower(name)
export const nodeIndexName = (name: string): string => 'node.' + lower(name)
export const SERVICE_EXTINCTION = 'service_last_extinction'
export const NODE_EXTINCTION = 'node_last_extinction'

export function bumpService(t: Tables, idx: number, serviceName: string): void {
  t.ctx.index.bump(serviceIndexName(serviceName), idx)
}

/** A node or node-level check changed: every service on the node is affected. */
export function updateAllServiceIndexesOfNode(t: Tables, idx: number, node: string): void {
  for (const row of t.services.onNode(node)) bumpService(t, idx, row.Service.Service)
}

/**
 * Consul's maxIndexForService: the service-specific index when the service has
 * instances; the extinction index when it has none; else the catalog max.
 */
export function maxIndexForService(t: Tables, name: string, exists: boolean, withChecks: boolean): number {
  const ix = t.ctx.index
  if (!exists) {
    const ext = ix.get(SERVICE_EXTINCTION)
    if (ext !== undefined) return ext
  }
  const svc = ix.get(serviceIndexName(name))
  if (svc !== undefined) return svc
  return withChecks ? ix.max('nodes', 'services', 'checks') : ix.max('nodes', 'services')
}
