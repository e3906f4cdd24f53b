/**
 * The summary reporter on fixtures (test/fixtures/reporter, outside the main include): run
 * vitest as a child process on each fixture file and check that the last line agrees with
 * the exit code — a failed hook, a file that fails to load and an unhandled error count as
 * failed, a skip with a reason is listed.
 */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/agent.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'reporter')
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')

function runFixture(file: string): {status: number | null; lines: string[]} {
  const r = spawnSync(process.execPath, [VITEST, 'run'], {
    cwd: FIXTURES,
    env: {...process.env, DC_REPORTER_FIXTURES: file, CI: 'true', NO_COLOR: '1'},
    encoding: 'utf8',
    timeout: 60_000,
  })
  return {status: r.status, lines: r.stdout.trimEnd().split('\n')}
}

describe('summary reporter', () => {
  it.each([
    ['hook-fails.fixture.ts', '0 passed, 1 failed, 2 skipped', 'failed outside a test: hook-fails.fixture.ts: fixture: beforeAll failed'],
    ['load-fails.fixture.ts', '0 passed, 1 failed, 0 skipped', 'failed outside a test: load-fails.fixture.ts: fixture: module failed to load'],
    ['unhandled.fixture.ts', '2 passed, 1 failed, 0 skipped', 'failed outside a test: unhandled error: fixture: unhandled error'],
  ])('%s: the last line counts the failure and vitest exits 1', (file, last, reason) => {
    const {status, lines} = runFixture(file)
    expect(status).toBe(1)
    expect(lines.at(-1)).toBe(last)
    expect(lines).toContain(reason)
  })

  it('a passing file with a reasoned skip: 0 failed, exit 0, the reason listed', () => {
    const {status, lines} = runFixture('passing.fixture.ts')
    expect(status).toBe(0)
    expect(lines.at(-1)).toBe('1 passed, 0 failed, 1 skipped')
    expect(lines).toContain('skipped 1 in passing.fixture.ts: fixture reason: tool absent')
  })
})
