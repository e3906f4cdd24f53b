/**
 * The fast CLI path's table (dist/cli-fast.json): what oclif would know about the thin
 * commands, taken at build time from the real oclif command classes and config
 * (src/cli/fast/spec.ts). Plain JSON, so bin/fast.js can route and parse an argv without
 * loading oclif.
 */

export interface FastFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases: string[]
  charAliases: string[]
  allowNo: boolean
  multiple: boolean
  multipleNonGreedy: boolean
  options?: string[]
  /** Static default (oclif's `default`); function defaults are not supported (the build refuses them). */
  default?: string | number | boolean | string[]
  env?: string
  required: boolean
  /** `identity`: oclif's built-in string/boolean parse; `integer`: Flags.integer with min/max. */
  parse: 'identity' | 'integer'
  min?: number
  max?: number
}

export interface FastArg {
  name: string
  required: boolean
  options?: string[]
  default?: string
  ignoreStdin: boolean
}

export interface FastCommand {
  id: string
  strict: boolean
  /** oclif's `'--'` option (undefined unless the class sets it). */
  dashdash?: boolean
  /** In oclif's order: baseFlags, then the command's flags. */
  flags: FastFlag[]
  args: FastArg[]
}

export interface FastTable {
  /** oclif's help flags (`--help` and pjson `additionalHelpFlags`) and version flags. */
  helpFlags: string[]
  versionFlags: string[]
  /** Every command id oclif loads without user plugins (config.commandIDs), for oclif's id collation. */
  commandIds: string[]
  /** Ids (and topic prefixes) for which oclif's `hasArgs()` is true during id collation. */
  withArgs: string[]
  /** The commands the fast path runs, by id. */
  commands: Record<string, FastCommand>
}
