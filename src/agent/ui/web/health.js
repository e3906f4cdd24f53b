// Health roll-ups computed from /v1/health/state/any, as Consul defines them: an
// instance is as healthy as the worst of its own checks and its node's checks
// (maintenance is a critical check); an instance with no checks counts as passing.

const RANK = {passing: 0, warning: 1, critical: 2}

/** The worst of some check statuses ('passing' for none). */
export function worst(statuses) {
  let w = 'passing'
  for (const s of statuses) if ((RANK[s] ?? 2) > RANK[w]) w = RANK[s] === undefined ? 'critical' : s
  return w
}

/** node → {node: [checks with no ServiceID], services: Map(serviceID → checks)} */
export function indexChecks(checks) {
  const byNode = new Map()
  for (const c of checks ?? []) {
    let n = byNode.get(c.Node)
    if (!n) byNode.set(c.Node, (n = {node: [], services: new Map()}))
    if (!c.ServiceID) n.node.push(c)
    else {
      const list = n.services.get(c.ServiceID)
      if (list) list.push(c)
      else n.services.set(c.ServiceID, [c])
    }
  }
  return byNode
}

/** One instance's status given the indexed checks. */
export function instanceStatus(indexed, node, serviceID) {
  const n = indexed.get(node)
  if (!n) return 'passing'
  return worst([...n.node, ...(n.services.get(serviceID) ?? [])].map((c) => c.Status))
}

/**
 * service name → {instances, passing, warning, critical}, from every instance
 * ({Node, ID, Service}) and the indexed checks.
 */
export function serviceSummaries(instances, indexed) {
  const out = new Map()
  for (const inst of instances) {
    let s = out.get(inst.Service)
    if (!s) out.set(inst.Service, (s = {instances: 0, passing: 0, warning: 0, critical: 0}))
    s.instances++
    s[instanceStatus(indexed, inst.Node, inst.ID)]++
  }
  return out
}

/** {passing, warning, critical} counts of a list of checks. */
export function countChecks(checks) {
  const out = {passing: 0, warning: 0, critical: 0}
  for (const c of checks) out[RANK[c.Status] === undefined ? 'critical' : c.Status]++
  return out
}

/**
 * A node's health: the worst of all its checks; `failed` when a node-level check
 * (serfHealth above all) is critical, which is what makes a node stand out.
 */
export function nodeHealth(indexed, node) {
  const n = indexed.get(node)
  if (!n) return {status: 'passing', failed: false, counts: {passing: 0, warning: 0, critical: 0}}
  const all = [...n.node, ...[...n.services.values()].flat()]
  return {status: worst(all.map((c) => c.Status)), failed: n.node.some((c) => c.Status === 'critical'), counts: countChecks(all)}
}
