/**
 * Text rendering with no business logic. Non-TTY output is byte-for-byte what
 * Consul prints (columnize / tabwriter layouts), so scripts that parse
 * `consul members` or `consul kv get -detailed` work unchanged on dc.
 */
import {Chalk} from 'chalk'

export type Cell = string
export type CellStyler = (text: string, col: number, row: number) => string

/**
 * ryanuber/columnize as Consul configures it: each column padded to its widest
 * cell, joined by two spaces, the last cell unpadded, no trailing newline.
 * `style` decorates a cell after widths are measured, so colour codes never
 * shift the alignment.
 */
export function columnize(rows: readonly (readonly Cell[])[], style?: CellStyler): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows
    .map((row, r) =>
      row
        .map((c, i) => {
          const text = style ? style(c, i, r) : c
          return i === row.length - 1 ? text : text + ' '.repeat(widths[i] - c.length) + '  '
        })
        .join(''),
    )
    .join('\n')
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
