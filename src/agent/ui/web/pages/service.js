// One service: each instance with its node, address:port, tags, meta and checks.
import {html} from 'htm/preact'
import {useWatch} from '../watch.js'
import {to} from '../router.js'
import {instanceStatus, indexChecks} from '../health.js'
import {Empty, ErrorBox, Loading, MetaTable, PageHeader, StatusBadge, Tags} from '../components/common.js'
import {CheckList} from '../components/checks.js'
import {enc} from '../api.js'

export function ServicePage({dc, name}) {
  const {data, error, loading} = useWatch(`health/service/${enc(name)}`, {dc})
  const entries = Array.isArray(data) ? [...data].sort((a, b) => a.Node.Node.localeCompare(b.Node.Node) || a.Service.ID.localeCompare(b.Service.ID)) : []
  return html`
    <nav class="crumbs" aria-label="Breadcrumb"><a href=${to.services(dc)}>Services</a> /</nav>
    <${PageHeader} title=${name}>
      <span class="muted">${data ? `${entries.length} instance${entries.length === 1 ? '' : 's'}` : ''}</span>
    <//>
    <${ErrorBox} error=${error} what="Could not load the service" />
    ${loading && !data
      ? html`<${Loading} what="Loading instances" />`
      : !data
        ? null
        : !entries.length
        ? html`<${Empty}>No instances of ${name} are registered in ${dc}.<//>`
        : html`<ul class="instances">${entries.map((e) => html`<${Instance} key=${`${e.Node.Node}/${e.Service.ID}`} dc=${dc} entry=${e} />`)}</ul>`}
  `
}

function Instance({dc, entry}) {
  const {Node: node, Service: svc, Checks: checks} = entry
  const status = instanceStatus(indexChecks(checks), node.Node, svc.ID)
  const address = svc.Address || node.Address
  return html`<li class=${`card instance ${status}`} data-instance=${svc.ID}>
    <div class="card-head">
      <h2>${svc.ID}</h2>
      <${StatusBadge} status=${status} />
    </div>
    <dl class="facts">
      <dt>Node</dt><dd><a href=${to.node(dc, node.Node)}>${node.Node}</a></dd>
      <dt>Address</dt><dd class="mono">${address}${svc.Port ? `:${svc.Port}` : ''}</dd>
      <dt>Tags</dt><dd><${Tags} tags=${svc.Tags} /></dd>
    </dl>
    <h3>Metadata</h3>
    <${MetaTable} meta=${svc.Meta} />
    <h3>Health checks</h3>
    <${CheckList} checks=${checks} />
  </li>`
}
