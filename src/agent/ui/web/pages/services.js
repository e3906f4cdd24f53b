// Services list: every service with its instance count and health roll-up; a search
// box and a tag filter, both kept in the URL (?q=, ?tag=) so a filtered view is bookmarkable.
import {html} from 'htm/preact'
import {useMemo} from 'preact/hooks'
import {useCatalog} from '../catalog.js'
import {serviceSummaries} from '../health.js'
import {navigate, to} from '../router.js'
import {Counts, Empty, ErrorBox, Loading, PageHeader, Tags} from '../components/common.js'

export function ServicesPage({dc, search}) {
  const cat = useCatalog(dc)
  const q = search.get('q') ?? ''
  const tag = search.get('tag') ?? ''
  const summaries = useMemo(() => (cat.instances ? serviceSummaries(cat.instances, cat.indexed) : undefined), [cat.instances, cat.indexed])
  const names = cat.services ? Object.keys(cat.services).sort() : []
  const allTags = useMemo(() => [...new Set(Object.values(cat.services ?? {}).flat())].sort(), [cat.services])
  const needle = q.trim().toLowerCase()
  const shown = names.filter((n) => (!needle || n.toLowerCase().includes(needle)) && (!tag || cat.services[n].includes(tag)))

  const setParam = (key, value) => {
    const params = new URLSearchParams(location.search)
    if (value) params.set(key, value)
    else params.delete(key)
    const qs = params.toString()
    navigate(`${to.services(dc)}${qs ? `?${qs}` : ''}`, {replace: true})
  }

  return html`
    <${PageHeader} title="Services">
      <span class="muted" aria-live="polite">${cat.services ? `${shown.length} of ${names.length}` : ''}</span>
    <//>
    <div class="filters" role="search">
      <label><span class="visually-hidden">Search services</span>
        <input type="search" placeholder="Search by name" value=${q} onInput=${(e) => setParam('q', e.currentTarget.value)} aria-label="Search services" />
      </label>
      <label><span class="visually-hidden">Filter by tag</span>
        <select value=${tag} onChange=${(e) => setParam('tag', e.currentTarget.value)} aria-label="Filter by tag">
          <option value="">All tags</option>
          ${allTags.map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
      </label>
    </div>
    <${ErrorBox} error=${cat.error} what="Could not load services" />
    ${cat.loading && !cat.services
      ? html`<${Loading} what="Loading services" />`
      : !cat.services
        ? null
        : !shown.length
        ? html`<${Empty}>${names.length ? 'No service matches the filter.' : 'No services registered.'}<//>`
        : // Rows are grid boxes so off-screen ones skip layout and paint (content-visibility);
          // the explicit roles keep the table semantics that display:grid would drop.
          html`<div class="table-wrap"><table class="list services-table grid-rows" role="table">
            <thead role="rowgroup"><tr role="row"><th role="columnheader" scope="col">Service</th><th role="columnheader" scope="col">Instances</th><th role="columnheader" scope="col">Health</th><th role="columnheader" scope="col" class="wide">Tags</th></tr></thead>
            <tbody role="rowgroup">
              ${shown.map((name) => {
                const s = summaries?.get(name)
                const status = !s ? '' : s.critical ? 'critical' : s.warning ? 'warning' : 'passing'
                return html`<tr key=${name} class=${status} data-service=${name} role="row">
                  <td role="cell"><a href=${to.service(dc, name)}>${name}</a></td>
                  <td role="cell" class="num">${s ? s.instances : summaries ? 0 : '…'}</td>
                  <td role="cell">${s ? html`<${Counts} counts=${s} />` : html`<span class="muted">${summaries ? 'no instances' : '…'}</span>`}</td>
                  <td role="cell" class="wide"><${Tags} tags=${cat.services[name]} /></td>
                </tr>`
              })}
            </tbody>
          </table></div>`}
  `
}
