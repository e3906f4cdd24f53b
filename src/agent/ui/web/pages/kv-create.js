// Create a key or, with a trailing '/', a folder below the current prefix. Created
// with ?cas=0 so an existing key is never replaced by a "create".
import {html} from 'htm/preact'
import {useState} from 'preact/hooks'
import {api, encKey} from '../api.js'
import {navigate, to} from '../router.js'
import {encodeDraft} from '../kv-value.js'
import {PageHeader} from '../components/common.js'
import {KvCrumbs} from '../components/kv-crumbs.js'

export function KvCreatePage({dc, prefix}) {
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const [flags, setFlags] = useState('0')
  const [message, setMessage] = useState()
  const folder = name.endsWith('/')
  const submit = async (e) => {
    e.preventDefault()
    const key = prefix + name.replace(/^\/+/, '')
    if (!name.trim()) return setMessage('Enter a key name.')
    if (!/^\d+$/.test(flags)) return setMessage('Flags must be a whole number.')
    try {
      const r = await api(`kv/${encKey(key)}`, {method: 'PUT', dc, body: folder ? undefined : encodeDraft(text, false), query: {cas: 0, ...(folder ? {} : {flags})}})
      if (r.data !== true) return setMessage(`${key} already exists: nothing was changed.`)
      navigate(folder ? to.kv(dc, key) : to.kvEdit(dc, key))
    } catch (err) {
      setMessage(`Not created: ${err.message}`)
    }
  }
  return html`
    <${KvCrumbs} dc=${dc} path=${prefix} />
    <${PageHeader} title=${`New key${prefix ? ` in ${prefix}` : ''}`} />
    <form class="card editor" onSubmit=${submit}>
      ${message && html`<div class="error" role="alert">${message}</div>`}
      <label for="kv-name">Key or folder name</label>
      <div class="prefixed"><span class="mono muted">${prefix}</span><input id="kv-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} autocomplete="off" spellcheck="false" required /></div>
      <p class="muted small">End the name with / to create a folder.</p>
      ${!folder &&
      html`<label for="kv-value">Value</label>
        <textarea id="kv-value" rows="8" spellcheck="false" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
        <label class="inline">Flags <input class="flags" inputmode="numeric" value=${flags} onInput=${(e) => setFlags(e.currentTarget.value.trim())} /></label>`}
      <div class="row"><button type="submit" class="primary">${folder ? 'Create folder' : 'Create key'}</button><a class="button" href=${to.kv(dc, prefix)}>Cancel</a></div>
    </form>
  `
}
