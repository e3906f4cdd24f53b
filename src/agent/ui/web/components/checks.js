// A list of health checks with status and output, as on the service and node pages.
import {html} from 'htm/preact'
import {StatusBadge} from './common.js'

export function CheckList({checks}) {
  if (!checks?.length) return html`<p class="muted">No health checks.</p>`
  const sorted = [...checks].sort((a, b) => rank(b.Status) - rank(a.Status) || a.Name.localeCompare(b.Name))
  return html`<ul class="checks">
    ${sorted.map((c) => html`<li class=${`check ${c.Status}`} data-check-id=${c.CheckID}>
      <div class="check-head">
        <${StatusBadge} status=${c.Status} />
        <strong>${c.Name}</strong>
        <span class="muted">${c.CheckID}${c.Type ? ` · ${c.Type}` : ''}${c.ServiceID ? '' : ' · node check'}</span>
      </div>
      ${c.Notes ? html`<p class="muted">${c.Notes}</p>` : null}
      <pre class="output" aria-label="check output">${c.Output || '(no output)'}</pre>
    </li>`)}
  </ul>`
}

const rank = (s) => ({passing: 0, warning: 1, critical: 2})[s] ?? 2
