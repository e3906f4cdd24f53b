// Small building blocks shared by the pages.
import {html} from 'htm/preact'

export function Loading({what = 'Loading'}) {
  return html`<p class="muted" role="status">${what}…</p>`
}

/** An API error as the agent said it (403 gets a hint about the token). */
export function ErrorBox({error, what}) {
  if (!error) return null
  const hint = error.status === 403 ? ' Set an ACL token with read access (Token, top right).' : ''
  const status = error.status ? `HTTP ${error.status}: ` : ''
  return html`<div class="error" role="alert">${what ? `${what}: ` : ''}${status}${error.message}${hint}</div>`
}

export function Empty({children}) {
  return html`<p class="empty">${children}</p>`
}

export function Tags({tags}) {
  if (!tags?.length) return html`<span class="muted">–</span>`
  return html`<ul class="tags" aria-label="tags">${tags.map((t) => html`<li class="tag">${t}</li>`)}</ul>`
}

/** A key/value table for Meta maps; "none" when empty. */
export function MetaTable({meta, label = 'Metadata'}) {
  const entries = Object.entries(meta ?? {})
  if (!entries.length) return html`<p class="muted">No ${label.toLowerCase()}.</p>`
  return html`<table class="meta" aria-label=${label}>
    <tbody>${entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody>
  </table>`
}

/** passing/warning/critical as a labelled badge (text, not colour alone). */
export function StatusBadge({status}) {
  const s = status || 'critical'
  return html`<span class=${`badge ${s}`}>${s}</span>`
}

/** "3 passing · 1 critical": only the non-zero counts, with a symbol for each. */
export function Counts({counts}) {
  const parts = ['passing', 'warning', 'critical'].filter((k) => counts[k] > 0)
  if (!parts.length) return html`<span class="muted">no checks</span>`
  return html`<span class="counts">${parts.map((k) => html`<span class=${`count ${k}`} title=${k}>${counts[k]} ${k}</span>`)}</span>`
}

export function PageHeader({title, children}) {
  return html`<header class="page-header"><h1 tabindex="-1" id="page-title">${title}</h1>${children}</header>`
}
