// Consul's UI URL scheme under the content path: /ui/<dc>/services/<name>,
// /ui/<dc>/nodes/<node>, /ui/<dc>/kv/<folder>/, /ui/<dc>/kv/<key>/edit, plus
// /ui/<dc>/cluster. History API navigation; the agent serves index.html for any of
// these, so a reload or a bookmark lands on the same page.
import {useEffect, useState} from 'preact/hooks'
import {encKey, enc} from './api.js'

/**
 * The mount point, from <base href> (the agent writes its content path there); '/ui/'
 * outside a browser, where the unit tests import this module.
 */
export const BASE = typeof document === 'undefined' ? '/ui/' : new URL(document.baseURI).pathname

/** Parses a pathname into {page, dc, ...params}; page 'root' when no dc is given. */
export function parseRoute(pathname) {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : ''
  const parts = rest.split('/').map(decodeSegment)
  const [dc, section, ...tail] = parts
  if (!dc) return {page: 'root'}
  const name = tail[0]
  switch (section) {
    case undefined:
    case '':
    case 'services':
      return name ? {page: 'service', dc, name} : {page: 'services', dc}
    case 'nodes':
      return name ? {page: 'node', dc, name} : {page: 'nodes', dc}
    case 'cluster':
      return {page: 'cluster', dc}
    case 'kv': {
      const last = tail[tail.length - 1]
      if (last === 'edit' && tail.length > 1) return {page: 'kv-edit', dc, key: tail.slice(0, -1).join('/')}
      if (last === 'create') return {page: 'kv-create', dc, prefix: folderOf(tail.slice(0, -1))}
      return {page: 'kv', dc, prefix: folderOf(tail)}
    }
    default:
      return {page: 'not-found', dc}
  }
}

// ['a', 'b', ''] (from ".../kv/a/b/") → "a/b/"; [] → "".
function folderOf(parts) {
  const joined = parts.join('/')
  return joined === '' || joined.endsWith('/') ? joined : joined + '/'
}

function decodeSegment(s) {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** URL builders, so no page spells a path by hand. */
export const to = {
  services: (dc) => `${BASE}${enc(dc)}/services`,
  service: (dc, name) => `${BASE}${enc(dc)}/services/${enc(name)}`,
  nodes: (dc) => `${BASE}${enc(dc)}/nodes`,
  node: (dc, name) => `${BASE}${enc(dc)}/nodes/${enc(name)}`,
  kv: (dc, prefix = '') => `${BASE}${enc(dc)}/kv/${encKey(prefix)}`,
  kvEdit: (dc, key) => `${BASE}${enc(dc)}/kv/${encKey(key)}/edit`,
  kvCreate: (dc, prefix = '') => `${BASE}${enc(dc)}/kv/${encKey(prefix)}create`,
  cluster: (dc) => `${BASE}${enc(dc)}/cluster`,
}

const listeners = new Set()

export function navigate(url, {replace = false} = {}) {
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  for (const l of listeners) l()
  if (!replace) window.scrollTo(0, 0)
}

/** The current location ({route, search}), re-rendering on navigation and back/forward. */
export function useLocation() {
  const read = () => ({route: parseRoute(location.pathname), search: new URLSearchParams(location.search)})
  const [loc, setLoc] = useState(read)
  useEffect(() => {
    const l = () => setLoc(read())
    listeners.add(l)
    window.addEventListener('popstate', l)
    return () => {
      listeners.delete(l)
      window.removeEventListener('popstate', l)
    }
  }, [])
  return loc
}

/**
 * Same-origin links under BASE navigate in place; modified clicks (new tab, etc.)
 * and other links keep the browser's behaviour.
 */
export function interceptLinks() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.target.closest?.('a[href]')
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href)
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return
    e.preventDefault()
    navigate(url.pathname + url.search)
  })
}
