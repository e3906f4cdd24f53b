/**
 * bin/run.js runs the CLI from one bundled file (dist/cli.bundle.cjs) for start-up time. The
 * bundle must behave exactly as the unbundled tree: same stdout, stderr and exit code for
 * help, Consul-style flags, parse errors and the error path.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../helpers/agent.js'
import {assertBuilt, runCli} from './run-cli.js'

beforeAll(() => {
  assertBuilt()
  if (!existsSync(join(ROOT, 'dist', 'cli.bundle.cjs'))) throw new Error('dist/cli.bundle.cjs missing: run `npm run build`')
})

// Nothing listens on port 1 of loopback: every API call takes the connection-refused path.
const DEAD = '-http-addr=127.0.0.1:1'

describe('the CLI bundle against the unbundled tree', () => {
  it.each([
    [['--help']],
    [['kv', 'get', '--help']],
    [['agent', '-help']],
    [['help', 'operator', 'raft']],
    [['kv', 'get', DEAD, 'some/key']],
    [['kv', 'get', '-nope', 'x']],
    [['kv', 'put', DEAD, '-flags=abc', 'k', 'v']],
    [['services', 'register', DEAD, '-name=web', '-port', '80']],
    [['members', DEAD, '-format=json']],
    [['nope']],
    [['keygen', '-help']],
  ])('dc %j', async (args) => {
    // DC_CLI_OCLIF: the oclif bundle, not the fast path (test/e2e/cli/fast-path.test.ts compares that one).
    const [bundled, unbundled] = await Promise.all([runCli(args, {env: {DC_CLI_OCLIF: '1'}}), runCli(args, {env: {DC_CLI_UNBUNDLED: '1'}})])
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0)
    expect({code: bundled.code, stdout: bundled.stdout, stderr: bundled.stderr})
      .toEqual({code: unbundled.code, stdout: unbundled.stdout, stderr: unbundled.stderr})
  })
})

describe('the bundle code cache (bin/fast-load.js)', () => {
  // A copy of the bundle beside the real one (dist/, so its requires resolve the same way),
  // loaded in a child process: a foreign or corrupt cache is ignored and replaced by one
  // stamped for this file, which the next run accepts.
  it('ignores a cache made for another file, writes its own, and uses it next time', () => {
    const copy = join(ROOT, 'dist', `cli.bundle.cache-test-${process.pid}.cjs`)
    const cache = copy.replace(/\.cjs$/, '.cache')
    copyFileSync(join(ROOT, 'dist', 'cli.bundle.cjs'), copy)
    writeFileSync(cache, 'not a cache for this bundle\n')
    const load = `
      import vm from 'node:vm'
      const {loadBundle} = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'bin', 'fast-load.js')).href)})
      let rejected
      const Script = vm.Script
      vm.Script = class extends Script { constructor(...a) { super(...a); rejected = a[1].cachedData === undefined ? 'none' : this.cachedDataRejected } }
      const m = loadBundle(${JSON.stringify(copy)})
      console.log(typeof m.main, rejected)`
    try {
      const run = () => spawnSync(process.execPath, ['--input-type=module', '-e', load], {cwd: ROOT, encoding: 'utf8'})
      const first = run()
      expect(first.stdout.trim(), first.stderr).toBe('function none')
      const stamp = `${statSync(copy).size}:${statSync(copy).mtimeMs}\n`
      expect(readFileSync(cache).subarray(0, stamp.length).toString()).toBe(stamp)
      expect(readFileSync(cache).length).toBeGreaterThan(stamp.length + 1000)
      const second = run()
      expect(second.stdout.trim(), second.stderr).toBe('function false')
    } finally {
      rmSync(copy, {force: true})
      rmSync(cache, {force: true})
    }
  })
})
