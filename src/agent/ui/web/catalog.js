// The whole-catalog view the Services and Nodes lists need, from public endpoints
// only: service names and tags, nodes, every check (three blocking queries), and the
// instances on each node, re-read whenever the nodes or services index moves.
// (Consul's own UI uses /v1/internal/ui/*; dc's UI does without internal endpoints.)
import {useEffect, useMemo, useState} from 'preact/hooks'
import {api, enc} from './api.js'
import {indexChecks} from './health.js'
import {useStore} from './store.js'
import {useWatch} from './watch.js'

// Blocking queries already hold three of the browser's six connections per host.
const FAN_OUT = 3

export function useCatalog(dc) {
  const services = useWatch('catalog/services', {dc})
  const nodes = useWatch('catalog/nodes', {dc})
  const checks = useWatch('health/state/any', {dc})
  const instances = useInstances(dc, nodes.data, `${nodes.index}:${services.index}`)
  const indexed = useMemo(() => indexChecks(checks.data), [checks.data])
  return {
    services: services.data,
    nodes: nodes.data,
    checks: checks.data,
    indexed,
    instances: instances.list,
    /** node name → its instances */
    byNode: instances.byNode,
    error: services.error ?? nodes.error ?? checks.error ?? instances.error,
    loading: services.loading || nodes.loading || checks.loading,
  }
}

function useInstances(dc, nodes, version) {
  const token = useStore((s) => s.token)
  const [state, setState] = useState({list: undefined, byNode: new Map(), error: undefined})
  useEffect(() => {
    if (!Array.isArray(nodes)) return
    const ac = new AbortController()
    const names = nodes.map((n) => n.Node)
    const results = new Map()
    let next = 0
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]
        const r = await api(`catalog/node-services/${enc(name)}`, {dc, signal: ac.signal, allow404: true})
        results.set(name, (r.data?.Services ?? []).map((s) => ({...s, Node: name})))
      }
    }
    Promise.all(Array.from({length: Math.min(FAN_OUT, names.length)}, worker)).then(
      () => {
        const byNode = new Map(names.map((n) => [n, results.get(n) ?? []]))
        setState({list: [...byNode.values()].flat(), byNode, error: undefined})
      },
      (error) => {
        if (!ac.signal.aborted) setState((s) => ({...s, error}))
      },
    )
    return () => ac.abort()
  }, [version, dc, token, nodes])
  return state
}
