import {describe, expect, it} from 'vitest'
import {alignPairs, colorEnabled, columnize, makeStyle, toJson} from '../../../src/cli/render.js'

describe('columnize (Consul layout)', () => {
  it('pads every column but the last to its widest cell, glued by two spaces', () => {
    const out = columnize([
      ['Node', 'Address', 'Status'],
      ['a-long-name', '10.0.0.1:8301', 'alive'],
      ['b', '10.0.0.22:8301', 'failed'],
    ])
    expect(out.split('\n')).toEqual([
      'Node         Address         Status',
      'a-long-name  10.0.0.1:8301   alive',
      'b            10.0.0.22:8301  failed',
    ])
  })

  it('keeps padding for empty cells and leaves no trailing newline', () => {
    const out = columnize([['A', 'B', 'C'], ['x', '', 'z']])
    expect(out).toBe('A  B  C\nx     z')
  })

  it('aligns by display width, so wide characters keep columns straight', () => {
    expect(columnize([['名前', 'x'], ['ab', 'y']])).toBe('名前  x\nab    y')
  })

  it('measures widths before styling so colour codes do not shift columns', () => {
    const style = makeStyle(true)
    const plain = columnize([['H', 'S'], ['n', 'alive']])
    const painted = columnize([['H', 'S'], ['n', 'alive']], (t, col, row) => (row === 0 ? style.bold(t) : col === 1 ? style.green(t) : t))
    expect(painted).not.toBe(plain)
    expect(painted.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain)
  })
})

describe('alignPairs (tabwriter, padding 6)', () => {
  it('pads labels to the widest label plus six spaces', () => {
    expect(alignPairs([['Key', 'a'], ['ModifyIndex', '7']])).toBe('Key              a\nModifyIndex      7')
  })
})

describe('output helpers', () => {
  it('toJson uses four-space indentation', () => {
    expect(toJson({a: [1]})).toBe('{\n    "a": [\n        1\n    ]\n}')
  })

  it('colour only on a TTY without NO_COLOR', () => {
    expect(colorEnabled({isTTY: true}, {})).toBe(true)
    expect(colorEnabled({isTTY: false}, {})).toBe(false)
    expect(colorEnabled({}, {})).toBe(false)
    expect(colorEnabled({isTTY: true}, {NO_COLOR: '1'})).toBe(false)
    expect(colorEnabled({isTTY: true}, {NO_COLOR: ''})).toBe(false)
    expect(colorEnabled({isTTY: true}, {TERM: 'dumb'})).toBe(false)
  })

  it('a disabled style returns text unchanged', () => {
    const s = makeStyle(false)
    expect(s.red('x') + s.bold('y') + s.green('z')).toBe('xyz')
  })
})
