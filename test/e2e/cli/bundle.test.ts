/**
 * bin/run.js runs the CLI from one bundled file (dist/cli.bundle.js) for start-up time. The
 * bundle must behave exactly as the unbundled tree: same stdout, stderr and exit code for
 * help, Consul-style flags, parse errors and the error path.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../helpers/agent.js'
import {assertBuilt, runCli} from './run-cli.js'

beforeAll(() => {
  assertBuilt()
  if (!existsSync(join(ROOT, 'dist', 'cli.bundle.js'))) throw new Error('dist/cli.bundle.js missing: run `npm run build`')
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
    const [bundled, unbundled] = await Promise.all([runCli(args), runCli(args, {env: {DC_CLI_UNBUNDLED: '1'}})])
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0)
    expect({code: bundled.code, stdout: bundled.stdout, stderr: bundled.stderr})
      .toEqual({code: unbundled.code, stdout: unbundled.stdout, stderr: unbundled.stderr})
  })
})
