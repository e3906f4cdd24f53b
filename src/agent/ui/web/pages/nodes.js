// Nodes list: health, address, services and check counts; failed nodes (a critical
// node-level check such as serfHealth) sort first and are marked, not only coloured.
import {html} from 'htm/preact'
import {useCatalog} from '../catalog.js'
import {nodeHealth} from '../health.js'
import {to} from '../router.js'
import {Counts, Empty, ErrorBox, Loading, PageHeader, StatusBadge} from '../components/common.js'

export function NodesPage({dc}) {
  const cat = useCatalog(dc)
  const rows = (Array.isArray(cat.nodes) ? cat.nodes : []).map((n) => ({node: n, health: nodeHealth(cat.indexed, n.Node)}))
  rows.sort((a, b) => Number(b.health.failed) - Number(a.health.failed) || a.node.Node.localeCompare(b.node.Node))
  const failed = rows.filter((r) => r.health.failed).length
  return html`
    <${PageHeader} title="Nodes">
      <span class="muted">${cat.nodes ? `${rows.length} node${rows.length === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}` : ''}</span>
    <//>
    <${ErrorBox} error=${cat.error} what="Could not load nodes" />
    ${cat.loading && !cat.nodes
      ? html`<${Loading} what="Loading nodes" />`
      : !cat.nodes
        ? null
        : !rows.length
        ? html`<${Empty}>No nodes registered.<//>`
        : // Grid rows with content-visibility, as on the Services page, for large clusters.
          html`<div class="table-wrap"><table class="list nodes-table grid-rows" role="table">
            <thead role="rowgroup"><tr role="row"><th role="columnheader" scope="col">Node</th><th role="columnheader" scope="col">Health</th><th role="columnheader" scope="col">Address</th><th role="columnheader" scope="col" class="wide">Services</th><th role="columnheader" scope="col">Checks</th></tr></thead>
            <tbody role="rowgroup">
              ${rows.map(({node, health}) => {
                const services = cat.byNode.get(node.Node)
                return html`<tr key=${node.Node} class=${`${health.status}${health.failed ? ' failed' : ''}`} data-node=${node.Node} role="row">
                  <td role="cell"><a href=${to.node(dc, node.Node)}>${node.Node}</a>${health.failed ? html` <strong class="failed-label">failed</strong>` : null}</td>
                  <td role="cell"><${StatusBadge} status=${health.status} /></td>
                  <td role="cell" class="mono">${node.Address}</td>
                  <td role="cell" class="wide">${services ? (services.length ? [...new Set(services.map((s) => s.Service))].sort().join(', ') : html`<span class="muted">none</span>`) : '…'}</td>
                  <td role="cell"><${Counts} counts=${health.counts} /></td>
                </tr>`
              })}
            </tbody>
          </table></div>`}
  `
}
