/**
 * On a machine without dig the DNS end-to-end files must skip visibly, not fail: run them in
 * a child vitest whose PATH holds only `node`, and read its summary.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {ROOT} from '../../helpers/agent.js'

const bin = mkdtempSync(join(tmpdir(), 'dc-nodig-'))
symlinkSync(process.execPath, join(bin, 'node'))
afterAll(() => rmSync(bin, {recursive: true, force: true}))

it('skips every dig test with the reason, and vitest exits 0', () => {
  const files = ['test/e2e/dns/dns-dig.test.ts', 'test/e2e/dns/dns-agent.test.ts']
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files], {
    cwd: ROOT,
    env: {...process.env, PATH: bin, CI: 'true', NO_COLOR: '1'},
    encoding: 'utf8',
    timeout: 120_000,
  })
  const lines = r.stdout.trimEnd().split('\n')
  expect(r.status, r.stdout + r.stderr).toBe(0)
  const summary = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(lines.at(-1) ?? '')
  expect(summary, lines.at(-1)).not.toBeNull()
  expect(summary!.slice(1, 3)).toEqual(['0', '0'])
  expect(Number(summary![3])).toBeGreaterThan(10)
  for (const f of files) {
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^skipped \\d+ in ${f}: \`dig\` not found on PATH \\(Debian: apt-get install bind9-dnsutils\\)$`)))
  }
})
