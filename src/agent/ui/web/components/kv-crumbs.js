// Breadcrumbs for a KV path: Key/Value / a / b / (each a link to its folder).
import {html} from 'htm/preact'
import {to} from '../router.js'

export function KvCrumbs({dc, path}) {
  const parts = path.split('/')
  // For "a/b/" the last part is "" (the folder itself); for "a/b" it is the key.
  const folders = parts.slice(0, -1)
  return html`<nav class="crumbs" aria-label="Breadcrumb">
    <a href=${to.kv(dc)}>Key/Value</a> /
    ${folders.map((f, i) => html` <a href=${to.kv(dc, parts.slice(0, i + 1).join('/') + '/')}>${f}</a> /`)}
  </nav>`
}
