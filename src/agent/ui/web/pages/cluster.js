// Cluster: gossip members (LAN and WAN), Raft peers and datacenters, exactly as the
// agent's public endpoints report them. An endpoint that errors shows its error;
// nothing is filled in. These endpoints do not block, so they are polled each second.
import {html} from 'htm/preact'
import {usePoll, useWatch} from '../watch.js'
import {Empty, ErrorBox, Loading, PageHeader} from '../components/common.js'
import {to} from '../router.js'

// Serf member status codes in /v1/agent/members.
const STATUS = {0: 'none', 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed'}

export function ClusterPage({dc}) {
  const dcs = useWatch('catalog/datacenters', {dc})
  return html`
    <${PageHeader} title="Cluster" />
    <${Members} title="LAN gossip members" query=${{}} id="lan" />
    <${Members} title="WAN gossip members (servers)" query=${{wan: '1'}} id="wan" />
    <${RaftPeers} dc=${dc} />
    <section class="card" aria-labelledby="dcs">
      <h2 id="dcs">Datacenters</h2>
      <${ErrorBox} error=${dcs.error} what="/v1/catalog/datacenters" />
      ${Array.isArray(dcs.data) &&
      html`<ul class="plain">${dcs.data.map((d) => html`<li><a href=${to.services(d)}>${d}</a>${d === dc ? ' (current)' : ''}</li>`)}</ul>`}
    </section>
  `
}

function Members({title, query, id}) {
  const {data, error, loading} = usePoll('agent/members', {query})
  const members = Array.isArray(data) ? [...data].sort((a, b) => a.Name.localeCompare(b.Name)) : []
  return html`<section class="card" aria-labelledby=${id} data-section=${id}>
    <h2 id=${id}>${title}</h2>
    <${ErrorBox} error=${error} what=${`/v1/agent/members${query.wan ? '?wan=1' : ''}`} />
    ${loading && !data
      ? html`<${Loading} />`
      : data === null
        ? html`<${Empty}>This agent does not serve /v1/agent/members.<//>`
        : !members.length
          ? html`<${Empty}>The agent reports no members.<//>`
          : html`<div class="table-wrap"><table class="list members-table">
              <thead><tr><th scope="col">Node</th><th scope="col">Address</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Build</th><th scope="col">Protocol</th><th scope="col">DC</th></tr></thead>
              <tbody>${members.map((m) => {
                const status = STATUS[m.Status] ?? String(m.Status)
                return html`<tr key=${m.Name} class=${status === 'failed' ? 'critical failed' : status === 'alive' ? '' : 'warning'} data-member=${m.Name}>
                  <td>${m.Name}</td><td class="mono">${m.Addr}:${m.Port}</td>
                  <td><span class=${`badge ${status === 'alive' ? 'passing' : status === 'failed' ? 'critical' : 'warning'}`}>${status}</span></td>
                  <td>${m.Tags?.role === 'consul' ? 'server' : 'client'}</td>
                  <td>${(m.Tags?.build ?? '').split(':')[0] || '–'}</td>
                  <td>${m.Tags?.vsn ?? '–'}</td>
                  <td>${m.Tags?.dc ?? '–'}</td>
                </tr>`
              })}</tbody></table></div>`}
  </section>`
}

/**
 * Raft servers from /v1/operator/raft/configuration. Commit indexes come from
 * /v1/operator/autopilot/state when the agent serves it; otherwise the lag column
 * says where it would come from instead of guessing.
 */
function RaftPeers({dc}) {
  const config = usePoll('operator/raft/configuration', {dc})
  const autopilot = usePoll('operator/autopilot/state', {dc})
  const servers = config.data?.Servers ?? []
  const state = autopilot.data?.Servers
  const leaderIndex = state ? Math.max(0, ...Object.values(state).map((s) => s.LastIndex ?? 0)) : undefined
  const lag = (id) => {
    if (!state) return html`<span class="muted" title="needs /v1/operator/autopilot/state">n/a</span>`
    const s = state[id]
    if (!s || typeof s.LastIndex !== 'number') return '–'
    const behind = leaderIndex - s.LastIndex
    return `${s.LastIndex}${behind ? ` (${behind} behind)` : ''}`
  }
  return html`<section class="card" aria-labelledby="raft" data-section="raft">
    <h2 id="raft">Raft peers</h2>
    <${ErrorBox} error=${config.error} what="/v1/operator/raft/configuration" />
    ${config.loading && !config.data
      ? html`<${Loading} />`
      : !servers.length
        ? html`<${Empty}>The agent reports no Raft servers.<//>`
        : html`<div class="table-wrap"><table class="list raft-table">
            <thead><tr><th scope="col">Node</th><th scope="col">ID</th><th scope="col">Address</th><th scope="col">State</th><th scope="col">Voter</th><th scope="col">Commit index</th></tr></thead>
            <tbody>${servers.map((s) => html`<tr key=${s.ID} data-peer=${s.Node}>
              <td>${s.Node}</td><td class="mono small">${s.ID}</td><td class="mono">${s.Address}</td>
              <td>${s.Leader ? html`<strong>leader</strong>` : 'follower'}</td><td>${s.Voter ? 'yes' : 'no'}</td><td>${lag(s.ID)}</td>
            </tr>`)}</tbody></table></div>
          <p class="muted small">Raft configuration index ${config.data.Index}.${state ? '' : autopilot.error ? ` Commit indexes unavailable: /v1/operator/autopilot/state answered ${autopilot.error.message}.` : autopilot.data === null ? ' Commit indexes unavailable: this agent does not serve /v1/operator/autopilot/state.' : ''}</p>`}
  </section>`
}
