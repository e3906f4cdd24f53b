import type {Expression} from './ast.js'
import {evaluate} from './evaluate.js'
import {FilterError} from './errors.js'
import {parseFilter} from './parser.js'

export {FilterError} from './errors.js'
export {parseFilter} from './parser.js'
export type {Expression, MatchExpression, MatchOperator, Selector} from './ast.js'

/** A compiled `?filter=` expression. */
export interface Filter {
  readonly source: string
  readonly ast: Expression
  /** True when the datum (a JSON-shaped value) passes; throws FilterError on a type mismatch. */
  matches(datum: unknown): boolean
}

/** Parses once; throws FilterError (message names the position) on a malformed expression. */
export function compileFilter(source: string): Filter {
  let ast: Expression
  try {
    ast = parseFilter(source)
  } catch (e) {
    if (e instanceof FilterError) throw new FilterError(`Failed to create boolean expression evaluator: ${e.message}`, e.offset)
    throw e
  }
  return {source, ast, matches: (datum) => evaluate(ast, datum)}
}

/** Keeps the list elements that pass; `view` picks what the filter sees (default: the element). */
export function filterList<T>(items: T[], source: string | undefined, view: (item: T) => unknown = (x) => x): T[] {
  if (!source) return items
  const f = compileFilter(source)
  return items.filter((item) => f.matches(view(item)))
}

/** Keeps the map entries whose values pass (Consul filters /v1/agent/services and /checks by value). */
export function filterRecord<T>(record: Record<string, T>, source: string | undefined, view: (item: T) => unknown = (x) => x): Record<string, T> {
  if (!source) return record
  const f = compileFilter(source)
  const out: Record<string, T> = {}
  for (const [k, v] of Object.entries(record)) if (f.matches(view(v))) out[k] = v
  return out
}
