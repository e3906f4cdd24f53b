/**
 * The one error type of the filter language: a malformed expression (with the
 * position, rendered as go-bexpr does: `line:col (offset)`) or a value that cannot
 * be compared with what a selector found. The HTTP layer turns it into a 400.
 */
export class FilterError extends Error {
  override readonly name = 'FilterError'
  constructor(message: string, readonly offset?: number) {
    super(message)
  }
}

/** `1:13 (12)` for a position in a one-line or multi-line source. */
export function describePosition(source: string, offset: number): string {
  let line = 1
  let col = 1
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++
      col = 1
    } else col++
  }
  return `${line}:${col} (${offset})`
}
