// The frame around every page: navigation, datacenter switcher, ACL token, theme,
// and the banner shown while the agent cannot be reached.
import {html} from 'htm/preact'
import {useState} from 'preact/hooks'
import {getState, update, useStore} from '../store.js'
import {navigate, to} from '../router.js'
import {useWatch} from '../watch.js'

const SECTIONS = [
  ['services', 'Services', to.services],
  ['nodes', 'Nodes', to.nodes],
  ['kv', 'Key/Value', (dc) => to.kv(dc)],
  ['cluster', 'Cluster', to.cluster],
]

const sectionOf = (page) => (page.startsWith('kv') ? 'kv' : page === 'service' ? 'services' : page === 'node' ? 'nodes' : page)

export function Layout({route, children}) {
  const reachable = useStore((s) => s.reachable)
  const dc = route.dc
  const current = sectionOf(route.page)
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${dc ? to.services(dc) : '.'} aria-label="dc home">dc</a>
      ${dc &&
      html`<nav aria-label="Sections">
        <ul>
          ${SECTIONS.map(([id, label, href]) => html`<li><a href=${href(dc)} aria-current=${current === id ? 'page' : undefined}>${label}</a></li>`)}
        </ul>
      </nav>`}
      <div class="tools">
        ${dc && html`<${DcSwitcher} dc=${dc} route=${route} />`}
        <${TokenMenu} />
        <${ThemeToggle} />
      </div>
    </header>
    ${!reachable &&
    html`<div class="banner" role="alert">
      Cannot reach the dc agent at ${location.host}. Showing the last data received; retrying…
    </div>`}
    <main id="main">${children}</main>
  `
}

/**
 * Shown only when the catalog knows more than one datacenter, as in Consul. Read once
 * per page load: the list cannot block and rarely changes (the Cluster page polls it).
 */
function DcSwitcher({dc, route}) {
  const {data} = useWatch('catalog/datacenters', {once: true})
  if (!Array.isArray(data) || data.length < 2) return html`<span class="dc" title="datacenter">${dc}</span>`
  const section = sectionOf(route.page)
  const go = (e) => {
    const next = e.currentTarget.value
    const builder = SECTIONS.find(([id]) => id === section)?.[2] ?? to.services
    navigate(builder(next))
  }
  return html`<label class="dc-switch">
    <span class="visually-hidden">Datacenter</span>
    <select onChange=${go} value=${dc} aria-label="Datacenter">
      ${data.map((d) => html`<option value=${d}>${d}</option>`)}
    </select>
  </label>`
}

/** The ACL token, sent as X-Consul-Token and kept in this browser's localStorage. */
function TokenMenu() {
  const token = useStore((s) => s.token)
  const [draft, setDraft] = useState(getState().token)
  const save = (e) => {
    e.preventDefault()
    update({token: draft.trim()})
    e.currentTarget.closest('details').open = false
  }
  const clear = () => {
    setDraft('')
    update({token: ''})
  }
  return html`<details class="menu token-menu">
    <summary>${token ? 'Token ✓' : 'Token'}</summary>
    <form class="menu-body" onSubmit=${save}>
      <label for="acl-token">ACL token (X-Consul-Token)</label>
      <input id="acl-token" type="password" autocomplete="off" spellcheck="false" value=${draft} onInput=${(e) => setDraft(e.currentTarget.value)} />
      <p class="muted small">Kept in this browser's local storage and sent with every request.</p>
      <div class="row"><button type="submit" class="primary">Save</button><button type="button" onClick=${clear}>Clear</button></div>
    </form>
  </details>`
}

const THEMES = ['auto', 'light', 'dark']

function ThemeToggle() {
  const theme = useStore((s) => s.theme)
  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]
  return html`<button type="button" class="theme" onClick=${() => update({theme: next})} aria-label=${`Theme: ${theme}. Switch to ${next}`}>
    ${theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
  </button>`
}
