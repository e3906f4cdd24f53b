// One KV key: its current value (pretty JSON, text or base64), flags, indexes and
// lock session, and an editor whose saves and deletes are check-and-set against the
// ModifyIndex the edit started from, so a concurrent change is reported, never overwritten.
import {html} from 'htm/preact'
import {useEffect, useState} from 'preact/hooks'
import {api, enc, encKey} from '../api.js'
import {useWatch} from '../watch.js'
import {navigate, to} from '../router.js'
import {describeValue, encodeDraft, fromBase64, toBase64} from '../kv-value.js'
import {Empty, ErrorBox, Loading, PageHeader} from '../components/common.js'
import {KvCrumbs} from '../components/kv-crumbs.js'

function draftFrom(entry) {
  const value = describeValue(fromBase64(entry.Value))
  return {text: value.text, asBase64: value.kind === 'binary', flags: String(entry.Flags ?? 0), baseIndex: entry.ModifyIndex, dirty: false}
}

export function KvEditPage({dc, keyName}) {
  const {data, error, loading} = useWatch(`kv/${encKey(keyName)}`, {dc})
  const entry = Array.isArray(data) ? data[0] : undefined
  const [draft, setDraft] = useState()
  const [outcome, setOutcome] = useState()
  // Follow the live value until the user starts typing; from then on the draft keeps
  // the index it was based on, which is what the CAS write is checked against.
  useEffect(() => {
    if (entry) setDraft((d) => (d?.dirty ? d : draftFrom(entry)))
  }, [entry?.ModifyIndex])

  if (loading && !data) return html`<${Loading} what="Loading key" />`
  if (data === undefined) return html`<${KvCrumbs} dc=${dc} path=${keyName} /><${PageHeader} title=${keyName} /><${ErrorBox} error=${error} what="Key/Value" />`
  if (!entry) {
    return html`<${KvCrumbs} dc=${dc} path=${keyName} /><${PageHeader} title=${keyName} /><${ErrorBox} error=${error} what="Key/Value" />
      <${Empty}>Key ${keyName} does not exist${outcome?.kind === 'deleted' ? ' (deleted)' : ''}. <a href=${to.kvCreate(dc, parentOf(keyName))}>Create a key</a>.<//>`
  }
  const edit = (patch) => setDraft((d) => ({...d, ...patch, dirty: true}))

  const save = async (e, baseIndex = draft.baseIndex) => {
    e?.preventDefault()
    let body
    try {
      body = encodeDraft(draft.text, draft.asBase64)
    } catch (err) {
      return setOutcome({kind: 'error', message: `The value is ${err.message}.`})
    }
    if (!/^\d+$/.test(draft.flags)) return setOutcome({kind: 'error', message: 'Flags must be a whole number (0 to 2^64-1).'})
    try {
      const r = await api(`kv/${encKey(keyName)}`, {method: 'PUT', dc, body, query: {cas: baseIndex, flags: draft.flags}})
      if (r.data === true) {
        setOutcome({kind: 'saved'})
        // Base the next CAS (save or delete) on the index this write created, not on the
        // live view, which may not have caught up yet (a delete right after a save would
        // otherwise be reported as a conflict).
        const fresh = await api(`kv/${encKey(keyName)}`, {dc, allow404: true})
        const now = Array.isArray(fresh.data) ? fresh.data[0] : undefined
        setDraft((d) => (now ? draftFrom(now) : {...d, dirty: false}))
      } else {
        setOutcome({kind: 'conflict'})
      }
    } catch (err) {
      setOutcome({kind: 'error', message: err.message})
    }
  }
  // Overwrite replaces the value as it is now: read its index afresh (the live view may
  // not have caught up with the write that caused the conflict) and CAS against that.
  const overwrite = async () => {
    try {
      const r = await api(`kv/${encKey(keyName)}`, {dc, allow404: true})
      await save(undefined, Array.isArray(r.data) ? r.data[0].ModifyIndex : 0)
    } catch (err) {
      setOutcome({kind: 'error', message: err.message})
    }
  }
  const remove = async () => {
    if (!confirm(`Delete key ${keyName}?`)) return
    try {
      const r = await api(`kv/${encKey(keyName)}`, {method: 'DELETE', dc, query: {cas: draft.baseIndex}})
      if (r.data === true) navigate(to.kv(dc, parentOf(keyName)))
      else setOutcome({kind: 'conflict'})
    } catch (err) {
      setOutcome({kind: 'error', message: err.message})
    }
  }
  const changedUnderneath = draft && draft.dirty && entry.ModifyIndex !== draft.baseIndex

  return html`
    <${KvCrumbs} dc=${dc} path=${keyName} />
    <${PageHeader} title=${keyName.split('/').pop() || keyName} />
    <${ErrorBox} error=${error} what="Key/Value" />
    <section class="card" aria-labelledby="kv-current">
      <h2 id="kv-current">Current value</h2>
      <dl class="facts">
        <dt>Key</dt><dd class="mono">${entry.Key}</dd>
        <dt>Flags</dt><dd class="mono" data-field="flags">${entry.Flags}</dd>
        <dt>Modify index</dt><dd class="mono" data-field="modify-index">${entry.ModifyIndex}</dd>
        <dt>Lock index</dt><dd class="mono">${entry.LockIndex}</dd>
        <dt>Lock session</dt><dd>${entry.Session ? html`<${LockHolder} dc=${dc} id=${entry.Session} />` : html`<span class="muted">not locked</span>`}</dd>
      </dl>
      <${ValueView} entry=${entry} />
    </section>
    ${draft &&
    html`<form class="card editor" onSubmit=${save} aria-labelledby="kv-edit">
      <h2 id="kv-edit">Edit</h2>
      ${changedUnderneath && html`<p class="warning-note" role="status">This key changed on the server (index ${entry.ModifyIndex}) after you started editing (index ${draft.baseIndex}).</p>`}
      <${Outcome} outcome=${outcome} onReload=${() => { setDraft(draftFrom(entry)); setOutcome(undefined) }} onOverwrite=${overwrite} />
      <label for="kv-value">Value${draft.asBase64 ? ' (base64: the value is binary)' : ''}</label>
      <textarea id="kv-value" rows="10" spellcheck="false" value=${draft.text} onInput=${(e) => edit({text: e.currentTarget.value})}></textarea>
      <div class="row">
        <label class="check-label"><input type="checkbox" checked=${draft.asBase64} onChange=${(e) => edit({asBase64: e.currentTarget.checked})} /> Value is base64</label>
        <label class="inline">Flags <input class="flags" inputmode="numeric" value=${draft.flags} onInput=${(e) => edit({flags: e.currentTarget.value.trim()})} /></label>
      </div>
      <div class="row">
        <button type="submit" class="primary">Save</button>
        <button type="button" class="danger" onClick=${remove}>Delete</button>
      </div>
    </form>`}
  `
}

function Outcome({outcome, onReload, onOverwrite}) {
  if (!outcome) return null
  if (outcome.kind === 'saved') return html`<p class="ok-note" role="status">Saved.</p>`
  if (outcome.kind === 'error') return html`<div class="error" role="alert">Not saved: ${outcome.message}</div>`
  return html`<div class="error conflict" role="alert">
    <p><strong>Not saved: this key was changed by someone else</strong> since you loaded it (check-and-set failed). Your edit is kept below.</p>
    <div class="row">
      <button type="button" onClick=${onReload}>Discard my edit and load the latest value</button>
      <button type="button" class="danger" onClick=${onOverwrite}>Overwrite with my edit</button>
    </div>
  </div>`
}

const VIEWS = {json: 'JSON', text: 'Text', binary: 'Base64'}

/** The stored value, formatted by what it is; the user may switch to raw text or base64. */
function ValueView({entry}) {
  const bytes = fromBase64(entry.Value)
  const value = describeValue(bytes)
  const [view, setView] = useState()
  const current = view ?? value.kind
  const kinds = value.kind === 'binary' ? ['binary'] : value.kind === 'json' ? ['json', 'text', 'binary'] : ['text', 'binary']
  const shown = current === 'json' ? value.pretty : current === 'binary' ? toBase64(bytes) : value.text
  return html`<div class="value-view">
    <div class="segmented" role="group" aria-label="Show value as">
      ${kinds.map((k) => html`<button type="button" aria-pressed=${current === k} onClick=${() => setView(k)}>${VIEWS[k]}</button>`)}
      <span class="muted small">${bytes.length} bytes</span>
    </div>
    <pre class="value" data-view=${current} aria-label="Value">${entry.Value === null ? '(empty)' : shown}</pre>
  </div>`
}

/** The session holding the key's lock, linked to the node it belongs to. */
function LockHolder({dc, id}) {
  const {data} = useWatch(`session/info/${enc(id)}`, {dc})
  const s = Array.isArray(data) ? data[0] : undefined
  return html`<span class="mono">${id}</span>${s ? html` on <a href=${to.node(dc, s.Node)}>${s.Node}</a>${s.Name ? ` (${s.Name})` : ''}` : null}`
}

/** "a/b/c" → "a/b/"; "c" → "". */
const parentOf = (key) => key.slice(0, key.lastIndexOf('/') + 1)
