import type {DnsCatalog} from '../dns/catalog-port.js'
import type {Env, Logger} from '../env/types.js'
import type {RpcDelegate} from '../server/endpoints/index.js'
import type {CheckServiceNode, Node, NodeService} from '../../store/state/types.js'

const RETRY_MS = 1000

/**
 * A client agent's DNS view: it holds no catalog, so it keeps a mirror that blocking
 * queries to a server keep fresh (stale reads, as Consul's DNS default) — the node list
 * and, per service, its instances with their checks — and answers DNS from it
 * synchronously. Until the first answers arrive (no server known yet) service lookups
 * are "unreadable" and DNS says SERVFAIL rather than inventing an empty answer.
 */
export function remoteDnsCatalog(datacenter: string, rpc: RpcDelegate, env: Env, log: Logger): DnsCatalog & {stop(): void} {
  let version = 0
  let stopped = false
  let nodes: Node[] | undefined
  let services: Set<string> | undefined
  const instances = new Map<string, CheckServiceNode[]>()
  const watched = new Set<string>()
  const sleep = (ms: number) => new Promise<void>((r) => env.timers.after(ms, r))

  /** One blocking-query loop: read, publish, park until the index moves, again. */
  async function loop<T>(read: (minIndex: number) => Promise<{value: T; meta: {index: number}}>, publish: (v: T) => boolean): Promise<void> {
    let index = 0
    while (!stopped) {
      try {
        const r = await read(index)
        if (stopped) return
        if (r.meta.index !== index || index === 0) {
          index = r.meta.index
          if (!publish(r.value)) return
          version++
        }
      } catch (e) {
        log.debug('DNS view: read failed; retrying', {error: (e as Error).message})
        index = 0
        await sleep(RETRY_MS)
      }
    }
  }

  const q = (minIndex: number) => ({AllowStale: true, MinQueryIndex: minIndex, MaxQueryTime: 300_000})
  void loop((i) => rpc('Catalog.ListNodes', q(i)), (v) => {
    nodes = [...v].sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0))
    return true
  })
  void loop((i) => rpc('Catalog.ListServices', q(i)), (v) => {
    services = new Set(Object.keys(v).map((s) => s.toLowerCase()))
    for (const name of Object.keys(v)) {
      const key = name.toLowerCase()
      if (watched.has(key)) continue
      watched.add(key)
      // Each service keeps its own blocking query; it ends once the service is gone.
      void loop((i) => rpc('Health.ServiceNodes', {ServiceName: name, ...q(i)}), (entries) => {
        if (!services?.has(key)) {
          instances.delete(key)
          watched.delete(key)
          return false
        }
        instances.set(key, entries)
        return true
      })
    }
    for (const key of [...instances.keys()]) if (!services.has(key)) instances.delete(key)
    return true
  })

  const local = (dc: string) => dc.toLowerCase() === datacenter
  return {
    datacenter,
    index: () => version,
    knownDatacenters: () => [datacenter],
    serviceNodes(dc, service) {
      if (!local(dc)) return []
      if (!services) return undefined
      const key = service.toLowerCase()
      if (!services.has(key)) return []
      return instances.get(key)
    },
    node(dc, name) {
      if (!local(dc)) return undefined
      const n = name.toLowerCase()
      return nodes?.find((x) => x.Node.toLowerCase() === n)
    },
    nodes: () => nodes ?? [],
    serviceInstances(): readonly {Node: Node; Service: NodeService}[] {
      const out: {Node: Node; Service: NodeService}[] = []
      for (const entries of instances.values()) for (const e of entries) out.push({Node: e.Node, Service: e.Service})
      return out.sort((a, b) => (a.Node.Node < b.Node.Node ? -1 : a.Node.Node > b.Node.Node ? 1 : 0))
    },
    stop() {
      stopped = true
    },
  }
}
