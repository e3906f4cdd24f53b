import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import {ConsulClient, ApiError} from '../api/client.js'
import {CliError} from './errors.js'
import {colorEnabled, makeStyle, toJson, type Style} from './render.js'

// oclif's FlagOutput/ArgOutput, which its public index does not re-export.
type FlagOutput = {[name: string]: any} // eslint-disable-line @typescript-eslint/no-explicit-any

/** Consul's client flags (-http-addr, -token, -datacenter); env fallbacks are resolved in src/api/address.ts. */
export const clientFlags = {
  'http-addr': Flags.string({
    summary: 'Address and port of the agent HTTP API (env CONSUL_HTTP_ADDR / DC_HTTP_ADDR; default 127.0.0.1:8500).',
    helpGroup: 'HTTP API',
  }),
  token: Flags.string({summary: 'ACL token for the request (env CONSUL_HTTP_TOKEN).', helpGroup: 'HTTP API'}),
  'token-file': Flags.string({summary: 'File containing the ACL token (env CONSUL_HTTP_TOKEN_FILE).', helpGroup: 'HTTP API'}),
  datacenter: Flags.string({summary: 'Datacenter to query (default: the agent\'s).', helpGroup: 'HTTP API'}),
}

/** -format=json and --json mean the same: print one JSON document instead of text. */
export const outputFlags = {
  format: Flags.string({summary: 'Output format.', options: ['pretty', 'json'], helpGroup: 'OUTPUT'}),
  json: Flags.boolean({summary: 'Print JSON (same as -format=json).', helpGroup: 'OUTPUT'}),
}

/** Consul's -stale server flag, for commands that read from the servers. */
export const staleFlag = {
  stale: Flags.boolean({summary: 'Let any server answer, not only the leader (may be stale).', helpGroup: 'HTTP API'}),
}

/**
 * Base of every dc command except `agent`. A command parses, calls the API, and
 * hands its data to `emit(data, human)`; this class owns JSON vs text output,
 * colours, and the single error path: `Error! <message>` (+ `Hint: ...`) on
 * stderr and exit code 1 or the command's own Consul code. Commands that need
 * no agent (keygen, version) extend this directly; the rest extend DcCommand.
 */
export abstract class CliCommand extends Command {
  static override baseFlags = {}

  protected parsedFlags: Record<string, unknown> = {}
  protected readonly style: Style = makeStyle(colorEnabled(process.stdout, process.env))
  private readonly errStyle: Style = makeStyle(colorEnabled(process.stderr, process.env))

  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends FlagOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const out = await super.parse<F, B, A>(options, argv)
    this.parsedFlags = out.flags as Record<string, unknown>
    return out
  }

  /** True with -format=json or --json. */
  protected get jsonOutput(): boolean {
    return this.parsedFlags.json === true || this.parsedFlags.format === 'json'
  }

  /** Write text (or raw bytes) plus a newline to stdout. */
  protected out(text: string | Uint8Array): void {
    if (typeof text === 'string') process.stdout.write(`${text}\n`)
    else process.stdout.write(Buffer.concat([text, Buffer.from('\n')]))
  }

  /**
   * Print `data` as JSON when asked to, else the text `human` makes of it
   * (undefined/empty array = print nothing).
   */
  protected emit<T>(data: T, human: (data: T) => string | Uint8Array | readonly (string | Uint8Array)[] | undefined): void {
    if (this.jsonOutput) return this.out(toJson(data))
    const text = human(data)
    if (text === undefined) return
    if (typeof text === 'string' || text instanceof Uint8Array) return this.out(text)
    for (const line of text) this.out(line)
  }

  /** Consul's `Success! <message>` line (green on a terminal). */
  protected successText(message: string): string {
    return `${this.style.green('Success!')} ${message}`
  }

  /** Stop with a non-zero exit status and no further output. */
  protected exitWith(code: number): never {
    throw new Errors.ExitError(code)
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    // this.exit()/exitWith(): already reported (or silent by design).
    if (err instanceof Errors.ExitError) throw err
    const {message, hint, code} = describeError(err)
    let text = `${this.errStyle.red('Error!')} ${message}\n`
    if (hint) text += `${this.errStyle.dim('Hint:')} ${hint}\n`
    process.stderr.write(text)
    throw new Errors.ExitError(code)
  }
}

/** A command that talks to an agent: adds -http-addr, -token, -datacenter and `this.api`. */
export abstract class DcCommand extends CliCommand {
  static override baseFlags = {...clientFlags, ...outputFlags}

  private client?: ConsulClient

  /** The API client for the parsed -http-addr/-token/-datacenter (created on first use). */
  protected get api(): ConsulClient {
    this.client ??= new ConsulClient({
      address: this.parsedFlags['http-addr'] as string | undefined,
      token: this.parsedFlags.token as string | undefined,
      tokenFile: this.parsedFlags['token-file'] as string | undefined,
      datacenter: this.parsedFlags.datacenter as string | undefined,
    })
    return this.client
  }
}

/** What the error path prints for an error: `Error! message`, optional `Hint:`, and the exit code. */
export function describeError(err: Error): {message: string; hint?: string; code: number} {
  if (err instanceof CliError) return {message: err.message, hint: err.hint, code: err.exitCode}
  if (err instanceof ApiError) return {message: err.message, hint: err.hint, code: 1}
  if (err instanceof Errors.CLIError) {
    // oclif parse errors: "Nonexistent flag: -x\nSee more help with --help". Consul exits 1 on flag errors.
    const [first, ...rest] = err.message.split('\n')
    return {message: first, hint: rest.join(' ').trim() || undefined, code: 1}
  }
  return {message: err.message || String(err), code: 1}
}
