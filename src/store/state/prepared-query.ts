import {StateError} from './errors.js'
import {TemplateError, compileTemplate, renderTemplate} from './query-template.js'
import {isTemplate, type PreparedQuery, type QuerySource} from './query-types.js'
import type {Tables} from './tables.js'
import type {WatchSet} from './watch.js'

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i

export const isUuid = (s: string): boolean => s.length === 36 && UUID.test(s)

/**
 * Create or update a prepared query (Consul's preparedQuerySetTxn): keeps CreateIndex on
 * update, refuses a name taken by another query or equal to another query's ID, a second
 * unnamed template, an unknown session, and a template that does not compile.
 */
export function preparedQuerySetTxn(t: Tables, idx: number, input: PreparedQuery): PreparedQuery {
  if (!input.ID) throw new StateError('invalid', 'Missing query ID')
  const existing = t.queries.get(input.ID)
  const query: PreparedQuery = {...structuredClone(input), CreateIndex: existing ? existing.CreateIndex : idx, ModifyIndex: idx}
  if (query.Name !== '') {
    const other = t.queries.byExactName(query.Name)
    if (other && other.ID !== query.ID) throw new StateError('invalid', `name '${query.Name}' aliases an existing query name`)
  } else if (isTemplate(query)) {
    const other = t.queries.templateWithName('')
    if (other && other.ID !== query.ID) throw new StateError('invalid', 'a query template with an empty name already exists')
  }
  if (isUuid(query.Name) && t.queries.has(query.Name)) throw new StateError('invalid', `name '${query.Name}' aliases an existing query ID`)
  if (query.Session !== '' && !t.sessions.has(query.Session)) throw new StateError('invalid-session', `invalid session ${JSON.stringify(query.Session)}`)
  if (isTemplate(query)) {
    try {
      compileTemplate(query)
    } catch (e) {
      if (e instanceof TemplateError) throw new StateError('invalid', `failed compiling template: ${e.message}`)
      throw e
    }
  }
  t.queries.set(query.ID, query)
  t.ctx.index.bump('prepared-queries', idx)
  return query
}

/** Delete by ID; a missing query is a no-op. */
export function preparedQueryDeleteTxn(t: Tables, idx: number, id: string): void {
  if (!t.queries.has(id)) return
  t.queries.delete(id)
  t.ctx.index.bump('prepared-queries', idx)
}

export function preparedQueryGet(t: Tables, id: string, ws?: WatchSet): {index: number; value: PreparedQuery | undefined} {
  ws?.add('query:' + id)
  return {index: t.ctx.index.max('prepared-queries'), value: t.queries.get(id)}
}

export function preparedQueryList(t: Tables, ws?: WatchSet): {index: number; value: PreparedQuery[]} {
  ws?.add('table:prepared-queries')
  return {index: t.ctx.index.max('prepared-queries'), value: t.queries.list()}
}

/**
 * Consul's PreparedQueryResolve: by ID (templates refuse that), then by exact name, then
 * the template with the longest name prefix, rendered for the name asked. Undefined when
 * nothing matches.
 */
export function preparedQueryResolve(t: Tables, idOrName: string, source: QuerySource): {index: number; value: PreparedQuery | undefined} {
  const index = t.ctx.index.max('prepared-queries')
  if (idOrName === '') throw new StateError('invalid', 'Missing query ID')
  if (isUuid(idOrName)) {
    const byId = t.queries.get(idOrName)
    if (byId) {
      if (isTemplate(byId)) throw new StateError('invalid', 'prepared query templates can only be resolved up by name, not by ID')
      return {index, value: byId}
    }
  }
  const found = t.queries.byExactName(idOrName) ?? t.queries.longestTemplatePrefix(idOrName)
  if (!found) return {index, value: undefined}
  if (!isTemplate(found)) return {index, value: found}
  try {
    return {index, value: renderTemplate(t.queries.compiledTemplate(found.ID)!, idOrName, source)}
  } catch (e) {
    if (e instanceof TemplateError) throw new StateError('invalid', e.message)
    throw e
  }
}
