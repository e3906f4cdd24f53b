/**
 * oclif's routing and argv parsing (@oclif/core 4.14: help/util.js collateSpacedCmdIDFromArgs,
 * main.js help/version checks, parser/parse.js, parser/validate.js), redone over the
 * precomputed table for the thin commands only. It reproduces oclif's result for every argv
 * that oclif parses without error; anything oclif would reject or report (unknown flag, bad
 * value, missing argument, help, a stdin read) returns undefined, and bin/run.js then runs
 * the full oclif path, which prints oclif's own message. So this never has to copy an error.
 */
import {consulFlagArgv} from '../../hooks/preparse.js'
import type {FastArg, FastCommand, FastFlag, FastTable} from './table.js'

export interface RawToken {
  type: 'flag' | 'arg'
  flag?: string
  arg?: string
  input: string
}

/** The shape of oclif's ParserOutput that commands read. */
export interface FastParseOutput {
  args: Record<string, unknown>
  argv: unknown[]
  flags: Record<string, unknown>
  metadata: {flags: Record<string, {setFromDefault?: boolean}>}
  nonExistentFlags: string[]
  raw: RawToken[]
  /** argv after the preparse hook's rewrite (oclif sets the command's `this.argv` to it). */
  preparsed: string[]
}

export interface ParseEnv {
  env: Record<string, string | undefined>
  /** process.stdin.isTTY: oclif reads stdin for a missing argument when it is not a terminal. */
  stdinIsTTY: boolean
}

/** Thrown inside the parser where oclif would fail or do something the fast path does not. */
class Fallback extends Error {}
const fallback = (): never => {
  throw new Fallback()
}

/** Command id and its argv, as oclif's main.run finds them; undefined for help, version, or any other command. */
export function routeArgv(table: FastTable, argv: readonly string[]): {id: string; argv: string[]} | undefined {
  if (argv.length === 0) return undefined
  if (table.versionFlags.includes(argv[0])) return undefined
  for (const a of argv) {
    if (table.helpFlags.includes(a)) return undefined
    if (a === '--') break
  }
  const [id, ...rest] = argv[0].includes(':') ? argv : collate(table, argv)
  if (!Object.hasOwn(table.commands, id)) return undefined
  return {id, argv: rest}
}

/** oclif's collateSpacedCmdIDFromArgs (topicSeparator ' '). */
function collate(table: FastTable, argv: readonly string[]): string[] {
  if (argv.length === 1) return [...argv]
  const ids = new Set(table.commandIds.flatMap((id) => id.split(':').map((_, i, a) => a.slice(0, i + 1).join(':'))))
  const withArgs = new Set(table.withArgs)
  const final: string[] = []
  const finalizeId = (s?: string) => (s ? [...final, s] : final).filter(Boolean).join(':')
  for (const arg of argv) {
    if (ids.has(finalizeId(arg))) final.push(arg)
    else if (arg.includes('=') || arg.startsWith('-') || withArgs.has(finalizeId())) break
    else final.push(arg)
  }
  const id = finalizeId()
  return id ? [id, ...argv.slice(id.split(':').length)] : [...argv]
}

/** oclif's parse + validate of `argv` for `cmd`, or undefined where oclif would not simply succeed. */
export function parseArgv(cmd: FastCommand, argv: readonly string[], penv: ParseEnv): FastParseOutput | undefined {
  try {
    return parse(cmd, argv, penv)
  } catch (error) {
    if (error instanceof Fallback) return undefined
    throw error
  }
}

function parse(cmd: FastCommand, input: readonly string[], penv: ParseEnv): FastParseOutput {
  const known = new Set(cmd.flags.flatMap((f) => [f.name, ...f.aliases]))
  const preparsed = consulFlagArgv(input, known)
  const byName = new Map(cmd.flags.map((f) => [f.name, f]))
  const byAlias = new Map(cmd.flags.flatMap((f) => [...f.aliases, ...f.charAliases].map((a) => [a, f] as const)))
  // oclif looks flags up in plain objects, where `--constructor` finds Object.prototype's.
  const guard = (name: string) => (name in Object.prototype ? fallback() : name)

  const findLong = (arg: string): string | undefined => {
    const name = guard(arg.slice(2))
    if (byName.has(name)) return name
    if (byAlias.has(name)) return byAlias.get(name)!.name
    if (arg.startsWith('--no-')) {
      const neg = guard(arg.slice(5))
      const f = byName.get(neg)
      if (f && f.type === 'boolean' && f.allowNo) return f.name
      const a = byAlias.get(neg)
      if (a && a.type === 'boolean' && a.allowNo) return a.name
    }
    return undefined
  }
  const findShort = (arg: string): string | undefined => {
    const char = arg[1]
    if (char !== undefined && byAlias.has(char)) return byAlias.get(char)!.name
    return cmd.flags.find((f) => f.char !== undefined && char !== undefined && f.char === char)?.name
  }
  const findFlag = (arg: string) => {
    const isLong = arg.startsWith('--')
    const name = isLong ? findLong(arg) : arg.startsWith('-') ? findShort(arg) : undefined
    return {isLong, name}
  }

  const queue = [...preparsed]
  const raw: RawToken[] = []
  let currentFlag: FastFlag | undefined
  const parseFlag = (arg: string): boolean => {
    const {isLong, name} = findFlag(arg)
    if (!name) {
      const i = arg.indexOf('=')
      if (i === -1) return false
      queue.unshift(arg.slice(i + 1))
      const ok = parseFlag(arg.slice(0, i))
      if (!ok) queue.shift()
      return ok
    }
    const flag = byName.get(name)!
    if (flag.type === 'option') {
      if (!flag.multiple && raw.some((o) => o.type === 'flag' && o.flag === name)) fallback() // "can only be specified once"
      currentFlag = flag
      const value = isLong || arg.length < 3 ? queue.shift() : arg.slice(arg[2] === '=' ? 3 : 2)
      if (typeof value !== 'string' || findFlag(value).name) fallback() // "expects a value"
      raw.push({flag: name, input: value!, type: 'flag'})
    } else {
      raw.push({flag: name, input: arg, type: 'flag'})
      if (!isLong && arg.length > 2) queue.unshift(`-${arg.slice(2)}`)
    }
    return true
  }

  const argNames = cmd.args.map((a) => a.name)
  const nonExistentFlags: string[] = []
  let parsingFlags = true
  let dashdash = false
  while (queue.length > 0) {
    const token = queue.shift()!
    if (parsingFlags && token.startsWith('-') && token !== '-') {
      if (cmd.dashdash !== false && token === '--') {
        parsingFlags = false
        continue
      }
      if (parseFlag(token)) continue
      if (token === '--') {
        dashdash = true
        continue
      }
      if (cmd.dashdash !== false && !/^-\d/.test(token)) {
        nonExistentFlags.push(token)
        continue
      }
    }
    if (parsingFlags && currentFlag?.multiple && !currentFlag.multipleNonGreedy) {
      raw.push({flag: currentFlag.name, input: token, type: 'flag'})
      continue
    }
    raw.push({arg: argNames[raw.filter((o) => o.type === 'arg').length], input: token, type: 'arg'})
  }
  if (nonExistentFlags.length > 0) fallback() // "Nonexistent flag"

  const {args, argv} = parseArgs(cmd.args, raw.filter((o) => o.type === 'arg'), penv)
  const {flags, metadata} = parseFlags(cmd.flags, raw.filter((o) => o.type === 'flag'), penv)
  const unsorted = dashdash ? [...argv, '--'] : argv
  const sortedArgv = unsorted.sort((a, b) => preparsed.indexOf(a as string) - preparsed.indexOf(b as string))

  // validate.js: strict extra arguments, missing required arguments and flags.
  if (cmd.strict && sortedArgv.length > cmd.args.length) fallback()
  if (cmd.args.some((a) => a.required && args[a.name] === undefined)) fallback()
  if (cmd.flags.some((f) => f.required && flags[f.name] === undefined)) fallback()
  return {args, argv: sortedArgv, flags, metadata, nonExistentFlags, raw, preparsed}
}

function parseArgs(defs: readonly FastArg[], tokens: readonly RawToken[], penv: ParseEnv) {
  const argv: unknown[] = []
  const args: Record<string, unknown> = {}
  for (const def of defs) {
    const token = tokens.find((t) => t.arg === def.name)
    if (token) {
      if (def.options && !def.options.includes(token.input)) fallback()
      argv.push(token.input)
      args[def.name] = token.input
    } else if (!def.ignoreStdin && !penv.stdinIsTTY) {
      fallback() // oclif would read the argument from stdin
    }
    if (args[def.name] === undefined && def.default !== undefined && def.default !== '') {
      argv.push(def.default)
      args[def.name] = def.default
    }
  }
  for (const token of tokens) {
    if (token.arg !== undefined && args[token.arg] !== undefined) continue
    argv.push(token.input)
  }
  return {args, argv}
}

function parseFlags(defs: readonly FastFlag[], tokens: readonly RawToken[], penv: ParseEnv) {
  const flags: Record<string, unknown> = {}
  const metadata: {flags: Record<string, {setFromDefault?: boolean}>} = {flags: {}}
  for (const def of defs) {
    const mine = tokens.filter((t) => t.flag === def.name)
    let value: unknown
    if (mine.length > 0) {
      const last = mine.at(-1)!.input
      if (def.type === 'boolean') value = ![def.name, ...def.aliases].map((n) => `--no-${n}`).includes(last)
      else if (def.multiple) value = mine.map((t) => optionValue(def, t.input))
      else value = optionValue(def, last)
    } else if (def.env !== undefined && penv.env[def.env]) {
      const fromEnv = penv.env[def.env]!
      value = def.type === 'option' ? optionValue(def, fromEnv) : ['1', 'true', 'y', 'yes'].includes(fromEnv.toLowerCase())
    } else if (def.type === 'boolean' || def.env !== undefined || def.default !== undefined) {
      // oclif gives every flag it looked at (booleans, env or default flags) its default, even undefined
      value = def.default
      metadata.flags[def.name] = {setFromDefault: true}
    }
    if (value !== undefined) flags[def.name] = value
  }
  return {flags, metadata}
}

/** validateOptions, then the flag's parse (identity, or Flags.integer's checks). */
function optionValue(def: FastFlag, input: string): string | number {
  if (def.options && !def.options.includes(input)) fallback()
  if (def.parse === 'identity') return input
  if (!/^-?\d+$/.test(input)) fallback()
  const n = Number.parseInt(input, 10)
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) fallback()
  return n
}
