// Browser-wide settings and connection state, shared by every page. A tiny
// subscribe/notify store: the app has three values to share, not a state library's worth.
import {useEffect, useState} from 'preact/hooks'

const TOKEN_KEY = 'dc:token'
const THEME_KEY = 'dc:theme'

function read(key) {
  try {
    return localStorage.getItem(key) ?? ''
  } catch {
    return '' // storage disabled (private mode): fall back to "no token"
  }
}

function write(key, value) {
  try {
    if (value) localStorage.setItem(key, value)
    else localStorage.removeItem(key)
  } catch {
    // Not persisted, but still used for this tab.
  }
}

const state = {
  token: read(TOKEN_KEY),
  theme: read(THEME_KEY) || 'auto',
  /** false after a request could not reach the agent; true again on the next answer. */
  reachable: true,
}
const listeners = new Set()

export function getState() {
  return state
}

export function update(patch) {
  let changed = false
  for (const [k, v] of Object.entries(patch)) if (state[k] !== v) { state[k] = v; changed = true }
  if (!changed) return
  if ('token' in patch) write(TOKEN_KEY, state.token)
  if ('theme' in patch) write(THEME_KEY, state.theme === 'auto' ? '' : state.theme)
  for (const l of listeners) l(state)
}

/** Re-renders the calling component when the picked value changes. */
export function useStore(pick) {
  const [value, setValue] = useState(() => pick(state))
  useEffect(() => {
    const l = (s) => setValue(pick(s))
    listeners.add(l)
    l(state)
    return () => listeners.delete(l)
  }, [])
  return value
}
