/**
 * Entry point of the CLI bundle (bin/run.js loads dist/cli.bundle.cjs through bin/fast-load.js when it exists). The
 * bundle exists for start-up time: @oclif/core and its dependencies are ~160 small CommonJS
 * files, and loading them one by one was half of a `dc kv get` (Node 20 has no compile cache).
 */
import {execute, type Interfaces} from '@oclif/core'
import {COMMAND_CLASSES} from '../command-classes.js'

// The same key as DC_COMMANDS in ../command-list.ts, which this module must not import: oclif
// loads that file from disk, after main() has registered the bundled classes.
const DC_COMMANDS = Symbol.for('dc.commands')

/** `load`: bin/run.js's oclif load options (its URL, or options adding the plugin manager; see bin/argv.js). */
export async function main(args: string[], load: string | Interfaces.LoadOptions): Promise<void> {
  ;(globalThis as {[DC_COMMANDS]?: unknown})[DC_COMMANDS] = COMMAND_CLASSES
  await execute({args, loadOptions: load})
}
