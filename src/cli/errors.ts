/**
 * The CLI layer's one error type: a message for `Error! <message>`, an optional
 * `Hint:` line, and the exit code (1 unless Consul uses another for this case).
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: number
  readonly hint?: string

  constructor(message: string, opts: {exitCode?: number; hint?: string} = {}) {
    super(message)
    this.exitCode = opts.exitCode ?? 1
    this.hint = opts.hint
  }
}
