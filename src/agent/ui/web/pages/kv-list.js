// Key/Value folder view: the keys and sub-folders one level below a prefix (?keys
// &separator=/), or every key below it with "Show all keys" (the recursive view).
import {html} from 'htm/preact'
import {useState} from 'preact/hooks'
import {api, encKey} from '../api.js'
import {useWatch} from '../watch.js'
import {navigate, to} from '../router.js'
import {Empty, ErrorBox, Loading, PageHeader} from '../components/common.js'
import {KvCrumbs} from '../components/kv-crumbs.js'

export function KvListPage({dc, prefix, search}) {
  const recursive = search.has('recurse')
  const query = recursive ? {keys: ''} : {keys: '', separator: '/'}
  const {data, error, loading} = useWatch(`kv/${encKey(prefix)}`, {dc, query})
  const [actionError, setActionError] = useState()
  // The prefix itself ("a/" as a folder key) is listed by the API; it is this page.
  const keys = (Array.isArray(data) ? data : []).filter((k) => k !== prefix)
  const remove = async (key) => {
    const folder = key.endsWith('/')
    if (!confirm(folder ? `Delete folder ${key} and every key below it?` : `Delete key ${key}?`)) return
    setActionError(undefined)
    try {
      await api(`kv/${encKey(key)}`, {method: 'DELETE', dc, query: folder ? {recurse: ''} : {}})
    } catch (e) {
      setActionError(e)
    }
  }
  const toggle = () => navigate(`${to.kv(dc, prefix)}${recursive ? '' : '?recurse'}`, {replace: true})
  return html`
    <${KvCrumbs} dc=${dc} path=${prefix} />
    <${PageHeader} title=${prefix ? prefix.slice(0, -1).split('/').pop() + '/' : 'Key/Value'}>
      <div class="row">
        <label class="check-label"><input type="checkbox" checked=${recursive} onChange=${toggle} /> Show all keys below</label>
        <a class="button primary" href=${to.kvCreate(dc, prefix)}>Create</a>
      </div>
    <//>
    <${ErrorBox} error=${error ?? actionError} what="Key/Value" />
    ${loading && !data
      ? html`<${Loading} what="Loading keys" />`
      : !keys.length
        ? html`<${Empty}>${prefix ? `No keys below ${prefix}.` : 'No keys yet.'} <a href=${to.kvCreate(dc, prefix)}>Create one</a>.<//>`
        : html`<ul class="kv-list" aria-label="Keys">
            ${keys.map((k) => {
              const folder = k.endsWith('/')
              const label = k.slice(prefix.length)
              return html`<li key=${k} class=${folder ? 'folder' : 'key'} data-key=${k}>
                <a href=${folder ? to.kv(dc, k) : to.kvEdit(dc, k)}><span aria-hidden="true">${folder ? '📁' : '📄'}</span> ${label}</a>
                <button type="button" class="danger small" onClick=${() => remove(k)} aria-label=${`Delete ${k}`}>Delete</button>
              </li>`
            })}
          </ul>`}
  `
}
