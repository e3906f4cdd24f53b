/**
 * Text rendering with no business logic. Non-TTY output is byte-for-byte what
 * Consul prints (columnize / tabwriter layouts), so scripts that parse
 * `consul members` or `consul kv get -detailed` work unchanged on dc.
 */
import {Chalk} from 'chalk'
import Table from 'cli-table3'

export type Cell = string
export type CellStyler = (text: string, col: number, row: number) => string

/** Borderless cli-table3: no rules, no padding, two spaces between columns. */
const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
}

/**
 * ryanuber/columnize as Consul configures it: each column padded to its widest
 * cell, joined by two spaces, the last cell unpadded, no trailing newline.
 * cli-table3 lays the columns out because it measures display width (wide
 * characters) and ignores ANSI colour codes, so `style` may colour cells freely.
 */
export function columnize(rows: readonly (readonly Cell[])[], style?: CellStyler): string {
  if (rows.length === 0) return ''
  const styled = rows.map((row, r) => row.map((c, i) => (style ? style(c, i, r) : c)))
  const width = Math.max(...rows.map((row) => row.length))
  if (width <= 1) return styled.map((row) => row[0] ?? '').join('\n')
  // Lay out every column but the last (padded, as columnize does), then append the last cell unpadded.
  const table = new Table({chars: BORDERLESS, style: {'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true}})
  table.push(...styled.map((row) => Array.from({length: width - 1}, (_, i) => row[i] ?? '')))
  const lines = table.toString().split('\n')
  return styled.map((row, r) => `${lines[r]}  ${row[width - 1] ?? ''}`).join('\n')
}

/**
 * Go's text/tabwriter with Consul's settings (minwidth 0, padding 6, space
 * padding) for two-column `label<TAB>value` lines: labels are padded to the
 * widest label plus six spaces; values are printed as-is.
 */
export function alignPairs(rows: readonly (readonly [string, string])[], padding = 6): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length)) + padding
  return rows.map(([k, v]) => k + ' '.repeat(width - k.length) + v).join('\n')
}

/** JSON as dc prints it for -format=json: 4-space indent, trailing newline added by the caller. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 4)
}

export interface Style {
  readonly enabled: boolean
  bold(s: string): string
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
  dim(s: string): string
}

/** Colour only for a terminal, and never when NO_COLOR is set at all (or TERM=dumb). */
export function colorEnabled(stream: {isTTY?: boolean}, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb'
}

export function makeStyle(enabled: boolean): Style {
  const c = new Chalk({level: enabled ? 1 : 0})
  return {
    enabled,
    bold: (s) => c.bold(s),
    green: (s) => c.green(s),
    red: (s) => c.red(s),
    yellow: (s) => c.yellow(s),
    dim: (s) => c.dim(s),
  }
}
