import {StateStore} from '../../../src/store/state/index.js'
import type {HealthCheckInput, RegisterRequest} from '../../../src/store/state/index.js'

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
export const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)

/** Register a node with a passing serfHealth check (what the leader's reconcile does). */
export function addNode(store: StateStore, idx: number, node: string, extra: Partial<RegisterRequest> = {}): void {
  store.ensureRegistration(idx, {
    Node: node,
    Address: '10.0.0.' + (node.length % 250),
    Datacenter: 'dc1',
    Check: {CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing'},
    ...extra,
  })
}

export function addService(
  store: StateStore,
  idx: number,
  node: string,
  id: string,
  name: string,
  opts: {tags?: string[]; port?: number; checks?: HealthCheckInput[]} = {},
): void {
  store.ensureRegistration(idx, {
    Node: node,
    Address: '10.0.0.' + (node.length % 250),
    Datacenter: 'dc1',
    SkipNodeUpdate: true,
    Service: {ID: id, Service: name, Tags: opts.tags ?? [], Port: opts.port ?? 80},
    Checks: opts.checks,
  })
}

/** A store with node n1 (serfHealth passing) at index 1 and session s1 at index 2. */
export function storeWithSession(behavior: 'release' | 'delete' = 'release', lockDelayNs = 15e9): StateStore {
  const store = new StateStore()
  addNode(store, 1, 'n1')
  store.sessionCreate(2, {ID: 's1', Node: 'n1', Behavior: behavior, LockDelay: lockDelayNs, NodeChecks: ['serfHealth']})
  return store
}
