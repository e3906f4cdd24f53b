/**
 * The syntax tree of Consul's `?filter=` language (hashicorp/go-bexpr). A selector
 * is a path of field names, map keys and list indexes; a value keeps its raw text
 * and is coerced to the type of whatever the selector finds at evaluation time.
 */
export type MatchOperator =
  | 'equal'
  | 'not-equal'
  | 'in'
  | 'not-in'
  | 'is-empty'
  | 'is-not-empty'
  | 'matches'
  | 'not-matches'

export interface Selector {
  path: string[]
  /** Where the selector starts in the source, for error messages. */
  offset: number
}

export interface MatchExpression {
  kind: 'match'
  selector: Selector
  operator: MatchOperator
  /** Raw text of the value (numbers and booleans are coerced when compared); absent for is (not) empty. */
  value?: string
}

export interface NotExpression {
  kind: 'not'
  operand: Expression
}

export interface BinaryExpression {
  kind: 'and' | 'or'
  left: Expression
  right: Expression
}

export type Expression = MatchExpression | NotExpression | BinaryExpression
