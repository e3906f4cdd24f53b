// Live data for pages: Consul blocking queries (?index=) re-issued as soon as they
// return, so a change shows within a round trip; endpoints without an index are polled.
import {useEffect, useState} from 'preact/hooks'
import {api} from './api.js'
import {useStore} from './store.js'

// Shorter than the agent's 5 min default so a half-open connection is noticed soon.
const WAIT = '60s'
const POLL_MS = 1000
const MAX_BACKOFF_MS = 5000

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, {once: true})
  })

/**
 * {data, error, loading, index} for GET /v1/<path>. Re-runs from scratch when path,
 * query, dc or the token change. `path` null means "nothing to fetch yet"; `once`
 * fetches a single time (for data that does not change, such as /v1/agent/self).
 */
export function useWatch(path, {query = {}, dc, once = false} = {}) {
  const token = useStore((s) => s.token)
  const [state, setState] = useState({data: undefined, error: undefined, loading: true, index: 0})
  const key = JSON.stringify([path, query, dc, token])
  useEffect(() => {
    if (path === null) return
    setState({data: undefined, error: undefined, loading: true, index: 0})
    const ac = new AbortController()
    void loop(path, query, dc, ac.signal, setState, once)
    return () => ac.abort()
  }, [key])
  return state
}

async function loop(path, query, dc, signal, setState, once) {
  let index = 0
  let backoff = 0
  let last = ''
  while (!signal.aborted) {
    try {
      const r = await api(path, {query: index ? {...query, index, wait: WAIT} : query, signal, dc, allow404: true})
      backoff = 0
      // A blocking query that timed out returns the same index, and a poll often the
      // same body: nothing changed, so nothing re-renders.
      const body = r.index ? '' : JSON.stringify(r.data)
      if (!(index && r.index === index) && !(body && body === last)) setState({data: r.data, error: undefined, loading: false, index: r.index})
      last = body
      // Consul: an index that goes backwards (snapshot restore, new leader) means start over.
      index = r.index > 0 && r.index >= index ? r.index : 0
      if (!r.index) await sleep(POLL_MS, signal)
    } catch (error) {
      if (signal.aborted) return
      last = ''
      setState((s) => ({...s, error, loading: false}))
      index = 0
      backoff = Math.min(MAX_BACKOFF_MS, Math.max(250, backoff * 2))
      await sleep(backoff, signal)
    }
  }
}

/** A plain poll every second, for endpoints that cannot block (members, Raft). */
export function usePoll(path, {query = {}, dc} = {}) {
  // Same loop: these endpoints send no X-Consul-Index, so it sleeps between requests.
  return useWatch(path, {query, dc})
}
