/**
 * oclif's explicit command target. The CLI bundle (dist/cli.bundle.js, see
 * scripts/bundle-cli.mjs) holds its own copy of every command and of @oclif/core and
 * registers the commands under DC_COMMANDS before it starts oclif, so this module must hand
 * oclif those copies, not import a second set through node_modules. Without the bundle
 * (bin/dev.js, `oclif manifest`) it imports the classes.
 */
import type {Command} from '@oclif/core'

export const DC_COMMANDS = Symbol.for('dc.commands')

const registered = (globalThis as {[DC_COMMANDS]?: Record<string, Command.Class>})[DC_COMMANDS]

export const COMMANDS: Record<string, Command.Class> = registered ?? (await import('./command-classes.js')).COMMAND_CLASSES
