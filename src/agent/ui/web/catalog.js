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

/**
 * Every node's instances. A change while a round of reads is in flight does not abort it
 * (under constant churn nothing would ever finish): the round completes and is shown, then
 * one more round runs for everything that changed meanwhile.
 */
function useInstances(dc, nodes, version) {
  const token = useStore((s) => s.token)
  const [state, setState] = useState({list: undefined, byNode: new Map(), error: undefined})
  const [runner] = useState(() => ({busy: false, wanted: undefined, signal: undefined}))
  // Declared first so the abort signal exists before the first round starts.
  useEffect(() => {
    const ac = new AbortController()
    runner.signal = ac.signal
    return () => ac.abort()
  }, [])
  useEffect(() => {
    if (!Array.isArray(nodes)) return
    runner.wanted = {dc, nodes}
    if (!runner.busy) void drain(runner, setState)
  }, [version, dc, token, nodes])
  return state
}

async function drain(runner, setState) {
  runner.busy = true
  try {
    while (runner.wanted && !runner.signal?.aborted) {
      const {dc, nodes} = runner.wanted
      runner.wanted = undefined
      try {
        const byNode = await readAll(dc, nodes.map((n) => n.Node), runner.signal)
        if (!runner.signal?.aborted) setState({list: [...byNode.values()].flat(), byNode, error: undefined})
      } catch (error) {
        if (!runner.signal?.aborted) setState((s) => ({...s, error}))
      }
    }
  } finally {
    runner.busy = false
  }
}

async function readAll(dc, names, signal) {
  const results = new Map()
  let next = 0
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]
      const r = await api(`catalog/node-services/${enc(name)}`, {dc, signal, allow404: true})
      results.set(name, (r.data?.Services ?? []).map((s) => ({...s, Node: name})))
    }
  }
  await Promise.all(Array.from({length: Math.min(FAN_OUT, names.length)}, worker))
  return new Map(names.map((n) => [n, results.get(n) ?? []]))
}
