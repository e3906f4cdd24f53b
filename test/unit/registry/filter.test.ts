import {describe, expect, it} from 'vitest'
import {FilterError, compileFilter, filterList, filterRecord, parseFilter} from '../../../src/agent/filter/index.js'

const web = {
  Node: 'n1',
  Service: {ID: 'web-1', Service: 'web', Tags: ['v1', 'primary'], Port: 8080, Meta: {version: '1.4', env: 'prod'}, EnableTagOverride: false, Weights: {Passing: 1, Warning: 1}},
  Checks: [
    {CheckID: 'serfHealth', Status: 'passing', ServiceID: ''},
    {CheckID: 'service:web-1', Status: 'critical', ServiceID: 'web-1'},
  ],
}
const api = {
  Node: 'n2',
  Service: {ID: 'api-1', Service: 'api', Tags: [], Port: 9090, Meta: {}, EnableTagOverride: true, Weights: {Passing: 3, Warning: 1}},
  Checks: [{CheckID: 'serfHealth', Status: 'passing', ServiceID: ''}],
}
const matches = (expr: string, datum: unknown) => compileFilter(expr).matches(datum)

describe('filter parser', () => {
  it('parses precedence: or < and < not < parentheses', () => {
    const ast = parseFilter('a == 1 or b == 2 and not c == 3')
    expect(ast.kind).toBe('or')
    if (ast.kind !== 'or') return
    expect(ast.right.kind).toBe('and')
    const grouped = parseFilter('(a == 1 or b == 2) and c == 3')
    expect(grouped.kind).toBe('and')
  })

  it('collapses double negation and accepts every operator spelling', () => {
    expect(parseFilter('not not a == 1').kind).toBe('match')
    const ops = ['a == 1', 'a != 1', 'a contains x', 'a not contains x', 'a matches "x"', 'a not matches "x"', 'a is empty', 'a is not empty', '"x" in a', '"x" not in a']
    const kinds = ops.map((e) => {
      const ast = parseFilter(e)
      return ast.kind === 'match' ? ast.operator : ast.kind
    })
    expect(kinds).toEqual(['equal', 'not-equal', 'in', 'not-in', 'matches', 'not-matches', 'is-empty', 'is-not-empty', 'in', 'not-in'])
  })

  it('parses selectors with map indexes, list indexes and JSON pointers', () => {
    const a = parseFilter('Service.Meta["my key"] == x')
    expect(a.kind === 'match' && a.selector.path).toEqual(['Service', 'Meta', 'my key'])
    const b = parseFilter('Checks.0.Status == passing')
    expect(b.kind === 'match' && b.selector.path).toEqual(['Checks', '0', 'Status'])
    const c = parseFilter('"/Service/Meta/env" == prod')
    expect(c.kind === 'match' && c.selector.path).toEqual(['Service', 'Meta', 'env'])
  })

  it('keeps raw strings and unescapes double-quoted ones', () => {
    const a = parseFilter('a == `x\\ny`')
    expect(a.kind === 'match' && a.value).toBe('x\\ny')
    const b = parseFilter('a == "x\\ty"')
    expect(b.kind === 'match' && b.value).toBe('x\ty')
  })

  it.each([
    ['Service.Tags contains', '1:22 (21)'],
    ['Service.Port == 80 and', '1:23 (22)'],
    ['Service.Port === 80', '1:16 (15)'],
    ['(Service.Port == 80', '1:1 (0)'],
    ['Name == "abc', '1:9 (8)'],
    ['Port == 12abc', '1:9 (8)'],
    ['"v1" in 12', '1:9 (8)'],
    ['Meta[abc] == x', '1:5 (4)'],
    ['', '1:1 (0)'],
  ])('rejects %j naming the position %s', (expr, pos) => {
    let err: unknown
    try {
      compileFilter(expr)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(FilterError)
    expect((err as Error).message).toContain(pos)
    expect((err as Error).message).toMatch(/^Failed to create boolean expression evaluator: /)
  })

  it('names the expectation and the reason for custom failures', () => {
    expect(() => compileFilter('(a == 1')).toThrow(/Unmatched parentheses/)
    expect(() => compileFilter('a == "x')).toThrow(/Unterminated string literal/)
    expect(() => compileFilter('a == 1x')).toThrow(/Invalid number literal/)
    expect(() => compileFilter('"x" in 5')).toThrow(/Invalid selector/)
    expect(() => compileFilter('a == ')).toThrow(/expected: .*value/)
    expect(() => compileFilter('a contains')).toThrow(/expected: whitespace/)
  })
})

describe('filter evaluation', () => {
  it('evaluates the issue example over a health entry', () => {
    const expr = 'Service.Tags contains "v1" and Service.Meta.version == "1.4"'
    expect(matches(expr, web)).toBe(true)
    expect(matches(expr, api)).toBe(false)
  })

  it('coerces values to the selected type', () => {
    expect(matches('Service.Port == 8080', web)).toBe(true)
    expect(matches('Service.Port != 8080', web)).toBe(false)
    expect(matches('Service.EnableTagOverride == true', api)).toBe(true)
    expect(matches('Service.EnableTagOverride == false', web)).toBe(true)
    expect(matches('Service.Weights.Passing == 3', api)).toBe(true)
    expect(() => matches('Service.Port == abc', web)).toThrow(/ParseInt/)
    expect(() => matches('Service.EnableTagOverride == maybe', web)).toThrow(/ParseBool/)
  })

  it('handles in / not in / contains over lists, maps and strings', () => {
    expect(matches('"primary" in Service.Tags', web)).toBe(true)
    expect(matches('"primary" not in Service.Tags', web)).toBe(false)
    expect(matches('Service.Tags not contains v2', web)).toBe(true)
    expect(matches('env in Service.Meta', web)).toBe(true)
    expect(matches('env in Service.Meta', api)).toBe(false)
    expect(matches('Service.Service contains "we"', web)).toBe(true)
    expect(() => matches('Service.Port contains 1', web)).toThrow(FilterError)
  })

  it('handles is empty, matches and negation', () => {
    expect(matches('Service.Tags is empty', api)).toBe(true)
    expect(matches('Service.Tags is not empty', web)).toBe(true)
    expect(matches('Service.Meta is empty', api)).toBe(true)
    expect(matches('Service.ID matches "^web-[0-9]+$"', web)).toBe(true)
    expect(matches('Service.ID not matches "^web-"', api)).toBe(true)
    expect(matches('Service.ID matches "(?i)^WEB"', web)).toBe(true)
    expect(matches('not Service.ID == "web-1"', web)).toBe(false)
    expect(matches('(Service.Port == 1 or Service.Port == 8080) and not Service.Tags is empty', web)).toBe(true)
  })

  it('applies the not-present disposition to missing map keys', () => {
    expect(matches('Service.Meta.missing == x', web)).toBe(false)
    expect(matches('Service.Meta.missing != x', web)).toBe(true)
    expect(matches('Service.Meta.missing is empty', web)).toBe(true)
    expect(matches('Service.Meta["missing"] not matches "x"', web)).toBe(true)
  })

  it('rejects unknown top-level selectors', () => {
    expect(() => matches('Nope == 1', web)).toThrow(/Selector "Nope" is not valid/)
    expect(() => matches('Service.Port.x == 1', web)).toThrow(/not valid/)
  })

  it('matches any element when a selector walks through a list', () => {
    expect(matches('Checks.Status == critical', web)).toBe(true)
    expect(matches('Checks.Status == critical', api)).toBe(false)
    expect(matches('Checks.1.CheckID == "service:web-1"', web)).toBe(true)
    expect(matches('Checks.5.CheckID == x', web)).toBe(false)
  })

  it('filters lists and records, leaving them untouched without a filter', () => {
    expect(filterList([web, api], 'Service.Service == api').map((x) => x.Node)).toEqual(['n2'])
    expect(filterList([web, api], undefined)).toHaveLength(2)
    const rec = {a: {Service: 'web', Tags: ['x']}, b: {Service: 'db', Tags: []}}
    expect(Object.keys(filterRecord(rec, 'Tags is empty'))).toEqual(['b'])
  })
})
