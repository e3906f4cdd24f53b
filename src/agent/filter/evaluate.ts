import type {Expression, MatchExpression, MatchOperator} from './ast.js'
import {FilterError} from './errors.js'

/**
 * Evaluates a parsed filter against one JSON-shaped datum (the element of a list
 * result, or the value of a map result), with go-bexpr's semantics:
 *
 * - the value's raw text is coerced to the type found at the selector (bool, number,
 *   string); `contains`/`in` test list membership, map keys, or substrings;
 * - a selector that ends in a missing map key takes the operator's "not present"
 *   disposition (== false, != true, in false, not in true, is empty true, ...);
 * - a field unknown at the top level is an error ("Selector ... is not valid");
 * - a selector that walks through a list without an index (`Checks.Status`) is true
 *   when the match holds for any element, as go-bexpr does for lists of structs.
 */
export function evaluate(expr: Expression, datum: unknown): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, datum) && evaluate(expr.right, datum)
    case 'or':
      return evaluate(expr.left, datum) || evaluate(expr.right, datum)
    case 'not':
      return !evaluate(expr.operand, datum)
    case 'match':
      return matchAt(expr, datum, 0)
  }
}

const NOT_PRESENT: Record<MatchOperator, boolean> = {
  equal: false,
  'not-equal': true,
  in: false,
  'not-in': true,
  'is-empty': true,
  'is-not-empty': false,
  matches: false,
  'not-matches': true,
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function selectorText(expr: MatchExpression): string {
  return expr.selector.path.join('.')
}

function matchAt(expr: MatchExpression, node: unknown, i: number): boolean {
  const path = expr.selector.path
  if (i === path.length) return applyOperator(expr, node)
  const seg = path[i]
  if (Array.isArray(node)) {
    if (/^\d+$/.test(seg)) {
      const idx = Number(seg)
      return idx < node.length ? matchAt(expr, node[idx], i + 1) : NOT_PRESENT[expr.operator]
    }
    return node.some((el) => matchAt(expr, el, i))
  }
  if (isObject(node)) {
    if (Object.prototype.hasOwnProperty.call(node, seg)) return matchAt(expr, node[seg], i + 1)
    if (i === 0) throw new FilterError(`Selector "${selectorText(expr)}" is not valid`, expr.selector.offset)
    return NOT_PRESENT[expr.operator]
  }
  if (node === null || node === undefined) return NOT_PRESENT[expr.operator]
  throw new FilterError(`Selector "${selectorText(expr)}" is not valid: cannot select "${seg}" in a ${typeof node}`, expr.selector.offset)
}

function applyOperator(expr: MatchExpression, v: unknown): boolean {
  if (v === null || v === undefined) return NOT_PRESENT[expr.operator]
  switch (expr.operator) {
    case 'equal':
      return equalTo(expr, v)
    case 'not-equal':
      return !equalTo(expr, v)
    case 'in':
      return contains(expr, v)
    case 'not-in':
      return !contains(expr, v)
    case 'is-empty':
      return isEmpty(expr, v)
    case 'is-not-empty':
      return !isEmpty(expr, v)
    case 'matches':
      return regexFor(expr).test(asString(expr, v))
    case 'not-matches':
      return !regexFor(expr).test(asString(expr, v))
  }
}

function equalTo(expr: MatchExpression, v: unknown): boolean {
  const raw = expr.value ?? ''
  if (typeof v === 'object') {
    throw new FilterError(`unable to find suitable primitive comparison function for matching ${JSON.stringify(selectorText(expr))}`, expr.selector.offset)
  }
  return primitiveEqual(raw, v)
}

/** Compares raw text with a primitive, coercing the text to the primitive's type (throws on bad text). */
function primitiveEqual(raw: string, v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v === raw
    case 'boolean':
      return coerceBool(raw) === v
    case 'number':
      return coerceNumber(raw, Number.isInteger(v)) === v
    default:
      return false
  }
}

function contains(expr: MatchExpression, v: unknown): boolean {
  const raw = expr.value ?? ''
  if (Array.isArray(v)) {
    return v.some((el) => {
      if (typeof el === 'object' || el === undefined) return false
      try {
        return primitiveEqual(raw, el)
      } catch {
        return false // a list mixing types: skip elements the text cannot be coerced to
      }
    })
  }
  if (isObject(v)) return Object.prototype.hasOwnProperty.call(v, raw)
  if (typeof v === 'string') return v.includes(raw)
  throw new FilterError(`Cannot perform in/contains operations on type ${typeof v} for selector: ${JSON.stringify(selectorText(expr))}`, expr.selector.offset)
}

function isEmpty(expr: MatchExpression, v: unknown): boolean {
  if (Array.isArray(v) || typeof v === 'string') return v.length === 0
  if (isObject(v)) return Object.keys(v).length === 0
  throw new FilterError(`Cannot check emptiness of type ${typeof v} for selector: ${JSON.stringify(selectorText(expr))}`, expr.selector.offset)
}

function asString(expr: MatchExpression, v: unknown): string {
  if (typeof v === 'string') return v
  throw new FilterError(`Value of type ${Array.isArray(v) ? 'list' : typeof v} is not convertible to []byte for selector: ${JSON.stringify(selectorText(expr))}`, expr.selector.offset)
}

function coerceBool(raw: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false
  throw new FilterError(`error getting match value in expression: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`)
}

function coerceNumber(raw: string, integer: boolean): number {
  const ok = integer ? /^[+-]?(\d+|0[xX][0-9a-fA-F]+)$/.test(raw) : /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)
  if (!ok) {
    const fn = integer ? 'strconv.ParseInt' : 'strconv.ParseFloat'
    throw new FilterError(`error getting match value in expression: ${fn}: parsing ${JSON.stringify(raw)}: invalid syntax`)
  }
  return Number(raw)
}

const regexCache = new WeakMap<MatchExpression, RegExp>()

/** Go RE2 patterns as JS RegExps: leading (?flags) become JS flags, \A and \z become anchors. */
function regexFor(expr: MatchExpression): RegExp {
  const cached = regexCache.get(expr)
  if (cached) return cached
  let pattern = expr.value ?? ''
  let flags = ''
  const lead = /^\(\?([imsU]+)\)/.exec(pattern)
  if (lead) {
    pattern = pattern.slice(lead[0].length)
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f
  }
  pattern = pattern.replace(/\\A/g, '^').replace(/\\z/g, '$').replace(/\(\?P</g, '(?<')
  let re: RegExp
  try {
    re = new RegExp(pattern, flags)
  } catch (e) {
    throw new FilterError(`Failed to compile regular expression ${JSON.stringify(expr.value)}: ${(e as Error).message}`, expr.selector.offset)
  }
  regexCache.set(expr, re)
  return re
}
