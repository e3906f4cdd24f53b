/**
 * Stands in for @oclif/core inside the fast CLI bundle (scripts/build-cli-fast.mjs aliases the
 * package to this file), so the thin commands' own classes run without loading oclif. It keeps
 * what those classes touch: Flags/Args builders (their output is not used: dist/cli-fast.json,
 * made from the real oclif definitions, drives parsing), Errors.ExitError/CLIError, and a
 * Command whose _run is oclif's (init, run, catch, finally) and whose parse returns the
 * result bin/fast.js already computed for exactly this command.
 */
import type {FastParseOutput} from './parse.js'

type Options = Record<string, unknown>

export class CLIError extends Error {
  code?: string
  oclif: {exit?: number} = {}
  constructor(message: string | Error, options: {exit?: number; code?: string} = {}) {
    super(message instanceof Error ? message.message : message)
    if (options.exit !== undefined) this.oclif.exit = options.exit
    this.code = options.code
  }
}

export class ExitError extends CLIError {
  override code = 'EEXIT'
  constructor(exitCode = 1) {
    super(`EEXIT: ${exitCode}`, {exit: exitCode})
  }
}

export const Errors = {CLIError, ExitError}

const option = (o: Options = {}) => ({...o, type: 'option'})
export const Flags = {string: option, integer: option, boolean: (o: Options = {}) => ({...o, type: 'boolean'})}
export const Args = {string: option}

let prepared: {cls: unknown; output: FastParseOutput} | undefined

/** Hands the parse result for `cls` to the next Command.parse(cls). */
export function prepareParse(cls: unknown, output: FastParseOutput): void {
  prepared = {cls, output}
}

// The thin commands read no oclif config; touching it means the command needs the oclif path.
const NO_CONFIG = new Proxy({}, {
  get(_t, p) {
    throw new Error(`this.config.${String(p)} is not available on the fast CLI path (remove the command from src/cli/fast/commands.ts)`)
  },
})

export abstract class Command {
  static id: string
  static flags: Options
  static baseFlags: Options
  static args: Options = {}
  static strict = true
  argv: string[]
  config: unknown = NO_CONFIG
  id: string
  protected parsed = false

  constructor(argv: string[]) {
    this.argv = argv
    this.id = (this.constructor as typeof Command).id
  }

  abstract run(): Promise<unknown>

  async _run(): Promise<unknown> {
    let err: Error | undefined
    let result: unknown
    try {
      await this.init()
      result = await this.run()
    } catch (error) {
      err = error as Error
      await this.catch(error as Error)
    } finally {
      await this.finally(err)
    }
    return result
  }

  async init(): Promise<void> {}

  async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    process.exitCode = process.exitCode ?? err.exitCode ?? 1
    throw err
  }

  async finally(_err?: Error): Promise<void> {}

  exit(code = 0): never {
    throw new ExitError(code)
  }

  protected async parse(options?: unknown): Promise<Omit<FastParseOutput, 'preparsed'>> {
    const cls = options ?? this.constructor
    if (prepared?.cls !== cls) throw new Error(`fast CLI: ${this.id} parsed options the fast path did not prepare`)
    const {preparsed, ...output} = prepared.output
    this.argv = [...preparsed]
    this.parsed = true
    return output
  }
}
