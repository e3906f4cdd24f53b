import type {Expression, MatchExpression, MatchOperator, Selector} from './ast.js'
import {FilterError, describePosition} from './errors.js'

/**
 * A hand-written parser for go-bexpr's grammar (the `?filter=` language), with the
 * same precedence (`or` < `and` < `not` < parentheses < match) and the same shapes:
 *
 *   Selector == Value   Selector != Value   Selector contains Value   Selector not contains Value
 *   Selector matches Value   Selector not matches Value   Selector is empty   Selector is not empty
 *   Value in Selector   Value not in Selector
 *
 * Values are numbers, "double-quoted" or `raw` strings, or bare words. Selectors are
 * dotted identifiers with optional ["map key"] or .0 list index parts, or a quoted JSON
 * pointer ("/Service/Meta/env"). On failure it reports the farthest position reached
 * and what was expected there, as `line:col (offset)`.
 */
export function parseFilter(source: string): Expression {
  return new Parser(source).parseInput()
}

const WS = /[ \t\r\n]/
const IDENT_START = /[a-zA-Z]/
const IDENT_REST = /[a-zA-Z0-9_]/
const POINTER_CHAR = /[\p{L}\p{N}\-_.~|]/u

class Parser {
  private pos = 0
  private farthest = 0
  private expected = new Set<string>()

  constructor(private readonly src: string) {}

  parseInput(): Expression {
    this.optWs()
    const expr = this.parseOr()
    if (expr) {
      this.optWs()
      if (this.pos === this.src.length) return expr
      this.expect('end of input')
    }
    const list = [...this.expected].sort()
    const found = this.farthest < this.src.length ? JSON.stringify(this.src[this.farthest]) : 'end of input'
    throw new FilterError(
      `${describePosition(this.src, this.farthest)}: no match found, expected: ${list.join(', ')} (found ${found})`,
      this.farthest,
    )
  }

  // --- expressions ---------------------------------------------------------------

  private parseOr(): Expression | null {
    const left = this.parseAnd()
    if (!left) return null
    const save = this.pos
    if (this.ws() && this.keyword('or') && this.ws()) {
      const right = this.parseOr()
      if (right) return {kind: 'or', left, right}
    }
    this.pos = save
    return left
  }

  private parseAnd(): Expression | null {
    const left = this.parseNot()
    if (!left) return null
    const save = this.pos
    if (this.ws() && this.keyword('and') && this.ws()) {
      const right = this.parseAnd()
      if (right) return {kind: 'and', left, right}
    }
    this.pos = save
    return left
  }

  private parseNot(): Expression | null {
    const save = this.pos
    if (this.keyword('not') && this.ws()) {
      const operand = this.parseNot()
      if (operand) return operand.kind === 'not' ? operand.operand : {kind: 'not', operand}
    }
    this.pos = save
    return this.parseParenthesized()
  }

  private parseParenthesized(): Expression | null {
    const open = this.pos
    if (this.literal('(')) {
      this.optWs()
      const inner = this.parseOr()
      if (inner) {
        this.optWs()
        if (this.literal(')')) return inner
        throw this.error(open, 'Unmatched parentheses')
      }
      this.pos = open
    }
    return this.parseMatch()
  }

  private parseMatch(): MatchExpression | null {
    const start = this.pos
    const selector = this.parseSelector()
    if (selector) {
      const afterSelector = this.pos
      const op = this.binaryOperator()
      if (op) {
        const value = this.parseValue()
        if (value !== null) return {kind: 'match', selector, operator: op, value}
      }
      this.pos = afterSelector
      const unary = this.emptyOperator()
      if (unary) return {kind: 'match', selector, operator: unary}
    }
    this.pos = start
    const value = this.parseValue()
    if (value !== null) {
      const op = this.inOperator()
      if (op) {
        const at = this.pos
        const sel = this.parseSelector()
        if (sel) return {kind: 'match', selector: sel, operator: op, value}
        throw this.error(at, 'Invalid selector')
      }
    }
    this.pos = start
    return null
  }

  // --- operators (each consumes its surrounding whitespace) ------------------------

  private binaryOperator(): MatchOperator | null {
    const save = this.pos
    this.optWs()
    if (this.literal('==')) {
      this.optWs()
      return 'equal'
    }
    if (this.literal('!=')) {
      this.optWs()
      return 'not-equal'
    }
    this.pos = save
    return this.words(['contains'], 'in') ?? this.words(['not', 'contains'], 'not-in') ?? this.words(['matches'], 'matches') ?? this.words(['not', 'matches'], 'not-matches')
  }

  private emptyOperator(): MatchOperator | null {
    const save = this.pos
    if (this.ws() && this.keyword('is') && this.ws()) {
      if (this.keyword('empty')) return 'is-empty'
      const mid = this.pos
      if (this.keyword('not') && this.ws() && this.keyword('empty')) return 'is-not-empty'
      this.pos = mid
    }
    this.pos = save
    return null
  }

  private inOperator(): MatchOperator | null {
    return this.words(['in'], 'in') ?? this.words(['not', 'in'], 'not-in')
  }

  /** `_ w1 _ w2 ... _`: whitespace-separated keywords, with whitespace on both ends. */
  private words(ws: string[], op: MatchOperator): MatchOperator | null {
    const save = this.pos
    for (const w of ws) {
      if (!this.ws() || !this.keyword(w)) {
        this.pos = save
        return null
      }
    }
    if (!this.ws()) {
      this.pos = save
      return null
    }
    return op
  }

  // --- selectors and values --------------------------------------------------------

  private parseSelector(): Selector | null {
    const start = this.pos
    if (this.peek() === '"') return this.parsePointer()
    const first = this.identifier()
    if (first === null) return null
    const path = [first]
    for (;;) {
      const save = this.pos
      if (this.literal('.')) {
        const id = this.identifier()
        if (id !== null) {
          path.push(id)
          continue
        }
        const digits = this.digits()
        if (digits !== null) {
          path.push(digits)
          continue
        }
        this.pos = save
        break
      }
      if (this.peek() === '[') {
        path.push(this.indexExpression())
        continue
      }
      break
    }
    return {path, offset: start}
  }

  private parsePointer(): Selector | null {
    const start = this.pos
    this.pos++ // opening quote
    const path: string[] = []
    while (this.peek() === '/') {
      this.pos++
      const segStart = this.pos
      while (this.pos < this.src.length && POINTER_CHAR.test(this.src[this.pos])) this.pos++
      if (this.pos === segStart) {
        this.pos = start
        return null
      }
      path.push(this.src.slice(segStart, this.pos).replace(/~1/g, '/').replace(/~0/g, '~'))
    }
    if (this.peek() !== '"') {
      this.pos = start
      return null
    }
    this.pos++
    return {path, offset: start}
  }

  private indexExpression(): string {
    const open = this.pos
    this.pos++ // '['
    this.optWs()
    const lit = this.stringLiteral()
    if (lit === null) throw this.error(open, 'Invalid index')
    this.optWs()
    if (!this.literal(']')) throw this.error(open, 'Unclosed index expression')
    return lit
  }

  /** A value's raw text; null when there is none here. */
  private parseValue(): string | null {
    const c = this.peek()
    if (c === '"' || c === '`') return this.stringLiteral()
    if (c !== undefined && IDENT_START.test(c)) {
      const sel = this.parseSelector()
      return sel ? sel.path.join('.') : null
    }
    const num = this.numberLiteral()
    if (num !== null) return num
    this.expect('value')
    return null
  }

  private numberLiteral(): string | null {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/.exec(this.src.slice(this.pos))
    if (!m) return null
    const start = this.pos
    this.pos += m[0].length
    const next = this.peek()
    if (next === undefined || next === ')' || WS.test(next)) return m[0]
    throw this.error(start, 'Invalid number literal')
  }

  private stringLiteral(): string | null {
    const quote = this.peek()
    if (quote !== '"' && quote !== '`') {
      this.expect('string')
      return null
    }
    const start = this.pos
    const end = this.src.indexOf(quote, start + 1)
    if (end < 0) throw this.error(start, 'Unterminated string literal')
    this.pos = end + 1
    const body = this.src.slice(start + 1, end)
    if (quote === '`') return body
    try {
      return JSON.parse(`"${body.replace(/[\t\n\r]/g, (ch) => JSON.stringify(ch).slice(1, -1))}"`) as string
    } catch {
      throw this.error(start, `Invalid string literal ${this.src.slice(start, end + 1)}`)
    }
  }

  // --- lexical helpers --------------------------------------------------------------

  private identifier(): string | null {
    const c = this.peek()
    if (c === undefined || !IDENT_START.test(c)) {
      this.expect('selector')
      return null
    }
    const start = this.pos++
    while (this.pos < this.src.length && IDENT_REST.test(this.src[this.pos])) this.pos++
    return this.src.slice(start, this.pos)
  }

  private digits(): string | null {
    const start = this.pos
    while (this.pos < this.src.length && this.src[this.pos] >= '0' && this.src[this.pos] <= '9') this.pos++
    return this.pos > start ? this.src.slice(start, this.pos) : null
  }

  /** Zero or more whitespace characters (`_?`). */
  private optWs(): void {
    while (this.pos < this.src.length && WS.test(this.src[this.pos])) this.pos++
  }

  /** One or more whitespace characters (`_`). */
  private ws(): boolean {
    const start = this.pos
    while (this.pos < this.src.length && WS.test(this.src[this.pos])) this.pos++
    if (this.pos === start) this.expect('whitespace')
    return this.pos > start
  }

  private keyword(word: string): boolean {
    if (this.src.startsWith(word, this.pos)) {
      this.pos += word.length
      return true
    }
    this.expect(JSON.stringify(word))
    return false
  }

  private literal(text: string): boolean {
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length
      return true
    }
    this.expect(JSON.stringify(text))
    return false
  }

  private peek(): string | undefined {
    return this.src[this.pos]
  }

  private expect(what: string): void {
    if (this.pos > this.farthest) {
      this.farthest = this.pos
      this.expected = new Set([what])
    } else if (this.pos === this.farthest) this.expected.add(what)
  }

  private error(offset: number, message: string): FilterError {
    return new FilterError(`${describePosition(this.src, offset)}: ${message}`, offset)
  }
}
