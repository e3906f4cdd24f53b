/**
 * The fast CLI path (bin/fast.js) against oclif (DC_CLI_OCLIF=1) on the same commands, against a
 * real agent: same stdout, stderr and exit code, including the error cases (missing arguments,
 * bad flags and values, an unreachable agent, a missing key). A probe preloaded into the CLI
 * process reports which path actually ran, so each case also checks that the fast path ran
 * where it should and declined where oclif must answer.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, startAgent, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt, runCli} from './run-cli.js'

let agent: RunningAgent
const home = mkdtempSync(join(tmpdir(), 'dc-fast-path-'))
const PROBE = ['--import', join(ROOT, 'test/fixtures/cli-path-probe.mjs')]
// oclif's data dir (user plugins) in a fresh place: none installed.
const ENV = {DC_DATA_DIR: join(home, 'data')}

beforeAll(async () => {
  assertBuilt()
  agent = await startAgent({dev: true})
  const put = await fetch(`${agent.url}/v1/kv/app/config`, {method: 'PUT', body: 'hello'})
  expect(put.ok).toBe(true)
  await fetch(`${agent.url}/v1/kv/app/other?flags=42`, {method: 'PUT', body: 'x'})
}, 60_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
  rmSync(home, {recursive: true, force: true})
})

let n = 0
async function run(args: string[], env: Record<string, string>, input?: string) {
  const out = join(home, `probe-${n++}`)
  const r = await runCli(args, {env: {...ENV, ...env, DC_PROBE_OUT: out}, nodeArgs: PROBE, input})
  return {code: r.code, stdout: r.stdout, stderr: r.stderr, path: readFileSync(out, 'utf8')}
}

/**
 * What may differ between two runs of one command: a node warning's pid, `dc info`'s memory
 * figures, and the live Raft and Serf counters (the agent keeps writing between the two runs:
 * coordinates, autopilot, anti-entropy), including list-peers' Commit Index column.
 */
const volatile = (s: string) => s
  .replace(/\(node:\d+\)/g, '(node:PID)')
  .replace(/("(?:heap_used_bytes|rss_bytes)": )"?\d+"?/g, '$1N')
  .replace(/("\w*(?:index|term|time|queue|contact|pending|score|snapshot)\w*": )"[^"]*"/g, '$1"N"')
  .replace(/^(\S+\s+\S+\s+(?:\S+\s+)?(?:leader|follower)\s+(?:true|false)\s+\S+\s+)\d+/gm, '$1N')

/**
 * Runs args both ways (each after `before`, which resets what the command changes); returns the
 * default run after checking the outputs are equal.
 */
async function compare(args: string[], env: Record<string, string> = {}, input?: string, before?: () => Promise<void>) {
  await before?.()
  const fast = await run(args, env, input)
  await before?.()
  const oclif = await run(args, {...env, DC_CLI_OCLIF: '1'}, input)
  expect(oclif.path).toBe('oclif')
  expect(fast.code).not.toBeNull()
  expect({code: fast.code, stdout: volatile(fast.stdout), stderr: volatile(fast.stderr)})
    .toEqual({code: oclif.code, stdout: volatile(oclif.stdout), stderr: volatile(oclif.stderr)})
  return fast
}

const addr = () => `-http-addr=${agent.httpAddr}`

describe('fast path and oclif give the same output', () => {
  // ADDR: -http-addr of the test agent.
  it.each([
    [['kv', 'get', 'ADDR', 'app/config']],
    [['kv', 'get', '-detailed', 'ADDR', 'app/config']],
    [['kv', 'get', '--format', 'json', 'ADDR', 'app/config']],
    [['kv', 'get', '-recurse', 'app/', 'ADDR']],
    [['kv', 'get', '-keys', '-separator=', 'ADDR', 'app/']],
    [['kv:get', '-base64', 'ADDR', 'app/other']],
    [['kv', 'get', 'ADDR', 'app/missing']], // Error! No key exists at: app/missing, exit 1
    [['kv', 'put', 'ADDR', '-flags=7', 'app/new', 'v1']],
    [['kv', 'put', 'ADDR', '-cas', '-modify-index=1', 'app/new', 'v2']], // CAS failure
    [['kv', 'delete', 'ADDR', 'app/new']],
    [['kv', 'export', 'ADDR', 'app/']],
    [['members', 'ADDR', '-detailed']],
    [['members', 'ADDR', '-status=nomatch']], // no output, exit 2
    [['catalog', 'services', 'ADDR', '-tags']],
    [['catalog', 'nodes', 'ADDR', '-detailed']],
    [['catalog', 'datacenters', 'ADDR']],
    [['services', 'register', 'ADDR', '-name=web', '-port', '80', '-tag=a', '-tag', 'b']],
    [['info', 'ADDR', '-format=json']],
    [['operator', 'raft', 'list-peers', 'ADDR']],
    [['maint', 'ADDR']],
    [['rtt', 'ADDR', 'nope-a', 'nope-b']],
    [['keyring', 'ADDR', '-list']],
  ])('dc %j', async (args) => {
    const r = await compare(args.map((a) => (a === 'ADDR' ? `-http-addr=${agent.httpAddr}` : a)))
    expect(r.path).toBe('fast')
  })

  it('services deregister, each run with the service registered again first', async () => {
    const register = async () => {
      const r = await fetch(`${agent.url}/v1/agent/service/register`, {method: 'PUT', body: JSON.stringify({Name: 'gone', Port: 1})})
      expect(r.ok).toBe(true)
    }
    const r = await compare(['services', 'deregister', `-http-addr=${agent.httpAddr}`, '-id=gone'], {}, undefined, register)
    expect(r.path).toBe('fast')
    expect(r.stdout).toBe('Deregistered service: gone\n')
  })

  it('with the address from CONSUL_HTTP_ADDR and the token from CONSUL_HTTP_TOKEN', async () => {
    const r = await compare(['kv', 'get', '-detailed', 'app/config'], {CONSUL_HTTP_ADDR: agent.httpAddr, CONSUL_HTTP_TOKEN: 'anything'})
    expect(r.path).toBe('fast')
    expect(r.stdout).toMatch(/^Value\s+hello$/m)
  })

  it('reads a value from stdin (kv put KEY -)', async () => {
    const r = await compare(['kv', 'put', addr(), 'app/stdin', '-'], {}, 'from stdin')
    expect(r.path).toBe('fast')
    expect((await run(['kv', 'get', addr(), 'app/stdin'], {})).stdout).toBe('from stdin\n')
  })

  it.each([
    [['kv', 'get', '-http-addr=127.0.0.1:1', 'app/config']], // unreachable agent
    [['members', '-http-addr=unix:///nonexistent/dc.sock']],
  ])('unreachable agent: dc %j', async (args) => {
    const r = await compare(args)
    expect(r.path).toBe('fast')
    expect(r.code).toBe(1)
  })
})

describe('where oclif must answer, the fast path declines and output is oclif\'s', () => {
  it.each([
    [['kv', 'get']], // missing KEY (stdin is a pipe: oclif reads the argument from it)
    [['kv', 'put']],
    [['kv', 'get', '-nope', 'x']], // Nonexistent flag
    [['kv', 'get', '-format=yaml', 'x']],
    [['kv', 'get', 'x', 'y']], // Unexpected argument
    [['kv', 'put', '-flags=abc', 'k', 'v']],
    [['services', 'register', '-name=web', '-port=70000']],
    [['members', '-status']], // expects a value
    [['kv', 'get', '--help']],
    [['kv', 'get', '-h']],
    [['kv']], // topic help
    [['--help']],
    [['nope']], // command not found
    [['version']], // not a thin command
  ])('dc %j', async (args) => {
    const r = await compare(args)
    expect(r.path).toBe('oclif')
  })
})

describe('user plugins', () => {
  it('with a linked CLI plugin every command runs through oclif, and the plugin\'s command works', async () => {
    const env = {DC_DATA_DIR: join(home, 'plugins-data'), XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config')}
    const link = await run(['plugins', 'link', '--no-install', join(ROOT, 'test/fixtures/cli-plugin')], env)
    expect(link.code, link.stderr).toBe(0)
    const hello = await run(['hello', 'ops', '--shout'], env)
    expect(hello.stdout).toBe('HELLO OPS FROM DC-CLI-HELLO\n')
    const get = await compare(['kv', 'get', addr(), 'app/config'], env)
    expect(get.path).toBe('oclif')
    expect(get.stdout).toBe('hello\n')
  })
})
