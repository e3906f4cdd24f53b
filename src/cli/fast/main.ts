/**
 * Entry of the fast CLI bundle (dist/cli.fast.cjs): runs one thin command with the parse
 * result bin/fast.js computed, as oclif's Config.runCommand + execute would, minus oclif.
 * Bundled with @oclif/core replaced by ./oclif-lite.ts (scripts/build-cli-fast.mjs).
 */
import type {Command} from '@oclif/core'
import type {FastParseOutput} from './parse.js'
import {FAST_COMMANDS} from './commands.js'
import {prepareParse} from './oclif-lite.js'

type Runnable = Command & {_run(): Promise<unknown>}

export async function run(id: string, argv: string[], parsed: FastParseOutput): Promise<void> {
  const cls = FAST_COMMANDS[id] as unknown as (new (argv: string[]) => Runnable) & {id?: string}
  cls.id = id
  // oclif's Command._run drops DC_REDIRECTED so sub-processes run the current client.
  delete process.env.DC_REDIRECTED
  prepareParse(cls, parsed)
  try {
    await new cls(argv)._run()
  } catch (error) {
    // oclif's errors/handle: an ExitError exits with its code, silently (the command printed
    // its own `Error!` line); anything else is a bug in the command's error path.
    const err = error as Error & {oclif?: {exit?: number}; code?: string}
    if (err.code !== 'EEXIT') process.stderr.write(`${err.stack ?? err}\n`)
    process.exit(err.oclif?.exit ?? 1)
  }
}
