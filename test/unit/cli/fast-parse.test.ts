/**
 * The fast CLI path's parser (src/cli/fast/parse.ts) against oclif's own: for each argv, oclif's
 * Parser (after the preparse hook, as Command.parse runs it) either fails, and the fast parser
 * must decline (undefined: bin/run.js then runs oclif, which prints oclif's error), or succeeds,
 * and the fast parser must give the same args, argv and flags.
 */
import {Parser, type Command} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {FAST_COMMANDS} from '../../../src/cli/fast/commands.js'
import {parseArgv, routeArgv} from '../../../src/cli/fast/parse.js'
import {commandSpec} from '../../../src/cli/fast/spec.js'
import type {FastTable} from '../../../src/cli/fast/table.js'
import {consulFlagArgv} from '../../../src/hooks/preparse.js'

type AnyRecord = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

async function oclifParse(cls: Command.Class, argv: string[]) {
  const c = cls as unknown as AnyRecord
  const flags = {...c.baseFlags, ...c.flags}
  const known = new Set(Object.entries(flags).flatMap(([n, f]) => [n, ...((f as AnyRecord).aliases ?? [])]))
  try {
    return await Parser.parse(consulFlagArgv(argv, known), {...c, flags, context: {}} as never)
  } catch (error) {
    return {error: (error as Error).message}
  }
}

const CASES: Record<string, string[][]> = {
  'kv:get': [
    ['x'], ['-detailed', 'x'], ['--detailed', 'x'], ['-recurse', 'a/'], ['-keys', '-separator=', 'a/'], ['-keys', '-separator', ':', 'a'],
    ['-format=json', 'x'], ['-format', 'json', 'x'], ['--format=yaml', 'x'], ['-format'], ['-json', 'x'], ['-http-addr=127.0.0.1:1', 'x'],
    ['-token', 'abc', '-datacenter=dc2', 'x'], ['-nope', 'x'], ['x', 'y'], ['--', '-x'], ['x', '--'], ['-5'], ['-'], ['-stale', '-stale', 'x'],
    ['-http-addr=a', '-http-addr=b', 'x'], ['-detailed=false', 'x'], ['--no-detailed', 'x'], ['-http-addr', '-token', 'x'], ['--constructor', 'x'],
    ['--__proto__=1', 'x'], ['-base64', '-detailed', '--', 'k'], ['--format=json', '--json', 'k'], ['-d', 'x'],
  ],
  'kv:put': [
    ['k', 'v'], ['-flags=42', 'k', 'v'], ['-flags=abc', 'k', 'v'], ['-flags=-1', 'k', 'v'], ['-cas', '-modify-index=3', 'k', 'v'], ['k'],
    ['-modify-index', '007', 'k', 'v'], ['k', '-'], ['k', '@file'], ['-acquire', '-session=s', 'k'], ['k', 'v', 'extra'],
  ],
  'kv:delete': [['k'], ['-recurse', 'a/'], ['-cas', '-modify-index=1', 'k'], ['-modify-index=x', 'k']],
  'services:register': [
    ['-name=web', '-port', '80'], ['-name', 'web', '-port=65536'], ['-name=web', '-tag=a', '-tag', 'b', '-meta', 'k=v'], ['-port=8o', '-name=x'],
    ['-name=web', '-tag', 'a', 'b'], ['file.json'], ['-name=web', '-port', '-1'],
  ],
  'catalog:nodes': [[], ['-node-meta=a=b', '-node-meta', 'c=d'], ['-service=web', '-detailed'], ['-near', '_agent']],
  'members': [[], ['-status=alive'], ['-wan', '-detailed'], ['-status'], ['-filter', 'x == y'], ['extra']],
  'keyring': [['-list'], ['-install=abc'], ['-relay-factor=2', '-list'], ['-relay-factor=x', '-list']],
}

describe('fast parser against oclif\'s Parser', () => {
  for (const [id, cases] of Object.entries(CASES)) {
    const cls = FAST_COMMANDS[id]
    const spec = commandSpec(id, cls)
    it.each(cases.map((c) => [c]))(`${id} %j`, async (argv) => {
      const fast = parseArgv(spec, argv, {env: {}, stdinIsTTY: true})
      const oclif = await oclifParse(cls, argv)
      if ('error' in oclif) {
        expect(fast, `oclif: ${oclif.error}`).toBeUndefined()
        return
      }
      // A success of oclif's must be a success here too (no needless fallback for these cases).
      expect(fast).toBeDefined()
      expect({args: fast!.args, argv: fast!.argv, flags: fast!.flags, raw: fast!.raw})
        .toEqual({args: oclif.args, argv: oclif.argv, flags: oclif.flags, raw: oclif.raw})
      expect(Object.keys(fast!.flags)).toEqual(Object.keys(oclif.flags))
    })
  }

  it('declines a missing argument when stdin is not a terminal (oclif would read it from stdin)', () => {
    const spec = commandSpec('kv:get', FAST_COMMANDS['kv:get'])
    expect(parseArgv(spec, ['-recurse'], {env: {}, stdinIsTTY: false})).toBeUndefined()
    expect(parseArgv(spec, ['-recurse'], {env: {}, stdinIsTTY: true})?.flags.recurse).toBe(true)
    expect(parseArgv(spec, ['-recurse', 'a/'], {env: {}, stdinIsTTY: false})?.args.key).toBe('a/')
  })
})

describe('fast routing (oclif\'s id collation with topicSeparator " ")', () => {
  const table: FastTable = {
    helpFlags: ['--help'],
    versionFlags: ['--version'],
    commandIds: ['agent', 'kv:get', 'kv:put', 'members', 'operator:raft:list-peers'],
    withArgs: ['kv:get', 'kv:put'],
    commands: Object.fromEntries(['kv:get', 'members', 'operator:raft:list-peers'].map((id) => [id, commandSpec(id, FAST_COMMANDS[id])])),
  }
  it.each([
    [['kv', 'get', 'x'], {id: 'kv:get', argv: ['x']}],
    [['kv:get', '-detailed', 'x'], {id: 'kv:get', argv: ['-detailed', 'x']}],
    [['kv', 'get', 'kv', 'get'], {id: 'kv:get', argv: ['kv', 'get']}],
    [['members'], {id: 'members', argv: []}],
    [['operator', 'raft', 'list-peers', '-stale'], {id: 'operator:raft:list-peers', argv: ['-stale']}],
    [['kv', 'put', 'k', 'v'], undefined], // a command the fast path does not run
    [['kv'], undefined], // a topic: oclif shows its help
    [['kv', 'get', '--help'], undefined],
    [['kv', 'get', 'x', '--', '--help'], {id: 'kv:get', argv: ['x', '--', '--help']}],
    [['--version'], undefined],
    [[], undefined],
    [['-http-addr=x', 'kv', 'get', 'x'], undefined],
    [['nope', 'x'], undefined],
  ])('%j', (argv, want) => {
    expect(routeArgv(table, argv)).toEqual(want)
  })
})
