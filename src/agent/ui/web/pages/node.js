// One node: address, metadata, services, checks, lock sessions (with invalidate) and,
// when the agent serves network coordinates, the estimated round-trip time to it.
import {html} from 'htm/preact'
import {useState} from 'preact/hooks'
import {api, enc} from '../api.js'
import {useWatch} from '../watch.js'
import {to} from '../router.js'
import {nodeHealth, indexChecks} from '../health.js'
import {rtt} from '../coordinates.js'
import {Empty, ErrorBox, Loading, MetaTable, PageHeader, StatusBadge, Tags} from '../components/common.js'
import {CheckList} from '../components/checks.js'

export function NodePage({dc, name}) {
  const node = useWatch(`catalog/node/${enc(name)}`, {dc})
  const checks = useWatch(`health/node/${enc(name)}`, {dc})
  const info = node.data
  const health = nodeHealth(indexChecks(checks.data ?? []), name)
  const services = info ? Object.values(info.Services ?? {}).sort((a, b) => a.ID.localeCompare(b.ID)) : []
  return html`
    <nav class="crumbs" aria-label="Breadcrumb"><a href=${to.nodes(dc)}>Nodes</a> /</nav>
    <${PageHeader} title=${name}>${checks.data ? html`<${StatusBadge} status=${health.status} />` : null}<//>
    <${ErrorBox} error=${node.error ?? checks.error} what="Could not load the node" />
    ${node.loading && !info
      ? html`<${Loading} what="Loading node" />`
      : info === undefined
        ? null
        : !info
        ? html`<${Empty}>Node ${name} is not registered in ${dc}.<//>`
        : html`
          <section class="card" aria-labelledby="node-facts">
            <h2 id="node-facts">Details</h2>
            <dl class="facts">
              <dt>Address</dt><dd class="mono">${info.Node.Address}</dd>
              <dt>ID</dt><dd class="mono">${info.Node.ID || '–'}</dd>
              <dt>Datacenter</dt><dd>${info.Node.Datacenter || dc}</dd>
              ${Object.entries(info.Node.TaggedAddresses ?? {}).map(([k, v]) => html`<dt>${k} address</dt><dd class="mono">${v}</dd>`)}
              <dt>Round-trip time</dt><dd><${RoundTrip} dc=${dc} name=${name} /></dd>
            </dl>
            <h3>Metadata</h3>
            <${MetaTable} meta=${info.Node.Meta} />
          </section>
          <section class="card" aria-labelledby="node-services">
            <h2 id="node-services">Services</h2>
            ${services.length
              ? html`<div class="table-wrap"><table class="list"><thead><tr><th scope="col">ID</th><th scope="col">Service</th><th scope="col">Port</th><th scope="col">Tags</th></tr></thead>
                  <tbody>${services.map((s) => html`<tr key=${s.ID}><td>${s.ID}</td><td><a href=${to.service(dc, s.Service)}>${s.Service}</a></td><td class="num">${s.Port || '–'}</td><td><${Tags} tags=${s.Tags} /></td></tr>`)}</tbody></table></div>`
              : html`<p class="muted">No services on this node.</p>`}
          </section>
          <section class="card" aria-labelledby="node-checks">
            <h2 id="node-checks">Health checks</h2>
            <${CheckList} checks=${checks.data} />
          </section>
          <${Sessions} dc=${dc} name=${name} />`}
  `
}

/** Lock sessions held by the node; invalidating one releases its locks. */
function Sessions({dc, name}) {
  const {data, error} = useWatch(`session/node/${enc(name)}`, {dc})
  const [actionError, setActionError] = useState()
  const invalidate = async (id) => {
    if (!confirm(`Invalidate session ${id}? Locks it holds are released (or their keys deleted, per its behavior).`)) return
    setActionError(undefined)
    try {
      await api(`session/destroy/${enc(id)}`, {method: 'PUT', dc})
    } catch (e) {
      setActionError(e)
    }
  }
  const sessions = Array.isArray(data) ? data : []
  return html`<section class="card" aria-labelledby="node-sessions">
    <h2 id="node-sessions">Lock sessions</h2>
    <${ErrorBox} error=${error ?? actionError} what="Sessions" />
    ${!sessions.length
      ? html`<p class="muted">No sessions on this node.</p>`
      : html`<div class="table-wrap"><table class="list sessions-table">
          <thead><tr><th scope="col">ID</th><th scope="col">Name</th><th scope="col">Behavior</th><th scope="col">TTL</th><th scope="col">Lock delay</th><th scope="col">Checks</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${sessions.map((s) => html`<tr key=${s.ID} data-session=${s.ID}>
            <td class="mono">${s.ID}</td><td>${s.Name || '–'}</td><td>${s.Behavior}</td><td>${s.TTL || '–'}</td>
            <td>${formatNs(s.LockDelay)}</td><td>${(s.NodeChecks ?? s.Checks ?? []).join(', ') || '–'}</td>
            <td><button type="button" class="danger" onClick=${() => invalidate(s.ID)}>Invalidate</button></td>
          </tr>`)}</tbody></table></div>`}
  </section>`
}

// Session LockDelay comes back in nanoseconds.
const formatNs = (ns) => (typeof ns === 'number' ? `${ns / 1e9}s` : String(ns ?? '–'))

/** RTT from this agent to the node, only from coordinates the agent actually serves. */
function RoundTrip({dc, name}) {
  const coords = useWatch('coordinate/nodes', {dc})
  const self = useWatch('agent/self', {once: true})
  if (coords.error) return html`<span class="muted">not available (${coords.error.status ? `HTTP ${coords.error.status}` : coords.error.message} from /v1/coordinate/nodes)</span>`
  if (coords.data === null) return html`<span class="muted">not available (/v1/coordinate/nodes: 404)</span>`
  if (!coords.data || !self.data) return html`<span class="muted">…</span>`
  const from = coords.data.find((c) => c.Node === self.data.Config?.NodeName)
  const target = coords.data.find((c) => c.Node === name)
  if (!from || !target) return html`<span class="muted">no coordinate for ${!target ? name : 'this agent'}</span>`
  return html`<span>${rtt(from.Coord, target.Coord).toFixed(2)} ms</span>`
}
