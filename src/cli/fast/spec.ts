/**
 * Build time only (scripts/build-cli-fast.mjs): the fast path's table from the real oclif
 * Config and command classes, read the way oclif's Command.parse and Parser read them. A flag
 * or argument feature the fast parser (./parse.ts) does not reproduce fails the build rather
 * than being guessed at run time.
 */
import {Args, Config, Flags, type Command} from '@oclif/core'
import type {FastArg, FastCommand, FastFlag, FastTable} from './table.js'

type AnyRecord = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

// oclif's built-in parse functions, compared by source: each Flags.x() call makes a new closure.
const IDENTITY = new Set([Flags.string().parse.toString(), Flags.boolean().parse.toString(), Args.string().parse.toString()])
const INTEGER = Flags.integer().parse.toString()

const UNSUPPORTED_FLAG = ['relationships', 'dependsOn', 'exclusive', 'combinable', 'exactlyOne', 'atLeastOne', 'allowStdin', 'delimiter', 'defaultHelp', 'deprecated', 'deprecateAliases']
const UNSUPPORTED_CMD = ['constraints', 'deprecateAliases', 'enableJsonFlag', 'state']

/** The table for `fastIds`, from a Config of the root and its core plugins (no user plugins). */
export async function buildFastTable(root: string, fastIds: readonly string[]): Promise<FastTable> {
  const config = await Config.load({root, userPlugins: false, devPlugins: false})
  const usable = new Set(config.commandIDs.flatMap((id) => id.split(':').map((_, i, a) => a.slice(0, i + 1).join(':'))))
  const withArgs = [...usable].filter((id) => {
    const cmd = config.findCommand(id)
    return Boolean(cmd && (cmd.strict === false || Object.keys(cmd.args ?? {}).length > 0))
  })
  const commands: Record<string, FastCommand> = {}
  for (const id of [...fastIds].sort()) {
    const found = config.findCommand(id)
    if (!found || found.id !== id || found.pluginType !== 'core') throw new Error(`fast CLI: ${id} is not a root command`)
    commands[id] = commandSpec(id, await found.load())
  }
  return {
    helpFlags: [...new Set([...(config.pjson.oclif.additionalHelpFlags ?? []), '--help'])],
    versionFlags: [...new Set(['--version', ...(config.pjson.oclif.additionalVersionFlags ?? [])])],
    commandIds: [...config.commandIDs].sort(),
    withArgs: withArgs.sort(),
    commands,
  }
}

/** What oclif's Command.parse(Class) hands its Parser, as JSON. */
export function commandSpec(id: string, cls: Command.Class): FastCommand {
  const fail = (what: string): never => {
    throw new Error(`fast CLI: ${id}: ${what} is not supported by src/cli/fast/parse.ts`)
  }
  const c = cls as unknown as AnyRecord
  for (const k of UNSUPPORTED_CMD) if (c[k]) fail(`static ${k}`)
  if ((c.aliases ?? []).length > 0 || (c.hiddenAliases ?? []).length > 0) fail('command aliases')
  // Command.parse spreads the class (own static fields only) and aggregates flags itself.
  const options: AnyRecord = {...c}
  const flagDefs: AnyRecord = {...c.baseFlags, ...c.flags}
  const flags = Object.entries(flagDefs).map(([name, f]) => flagSpec(name, f, fail))
  let optional = false
  const args = Object.entries((options.args ?? {}) as AnyRecord).map(([name, a]): FastArg => {
    if (a.multiple) fail(`variadic argument ${name}`)
    if (!IDENTITY.has(String(a.parse))) fail(`argument ${name}'s parse`)
    if (a.default !== undefined && typeof a.default !== 'string') fail(`argument ${name}'s default`)
    if (a.required && optional) fail(`required argument ${name} after an optional one`)
    optional ||= !a.required
    return {name, required: Boolean(a.required), options: a.options, default: a.default, ignoreStdin: Boolean(a.ignoreStdin)}
  })
  return {id, strict: options.strict !== false, dashdash: options['--'], flags, args}
}

function flagSpec(name: string, f: AnyRecord, fail: (what: string) => never): FastFlag {
  for (const k of UNSUPPORTED_FLAG) if (f[k] !== undefined && f[k] !== false) fail(`flag ${name}'s ${k}`)
  if (typeof f.default === 'function') fail(`flag ${name}'s default function`)
  const src = String(f.parse)
  const parse = IDENTITY.has(src) ? 'identity' : src === INTEGER ? 'integer' : fail(`flag ${name}'s parse`)
  return {
    name,
    type: f.type === 'boolean' ? 'boolean' : 'option',
    char: f.char,
    aliases: f.aliases ?? [],
    charAliases: f.charAliases ?? [],
    allowNo: Boolean(f.allowNo),
    multiple: Boolean(f.multiple),
    multipleNonGreedy: Boolean(f.multipleNonGreedy),
    options: f.options,
    default: f.default,
    env: f.env,
    required: Boolean(f.required),
    parse,
    min: f.min,
    max: f.max,
  }
}
