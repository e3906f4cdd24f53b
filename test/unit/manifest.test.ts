import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {COMMAND_CLASSES} from '../../src/command-classes.js'
import {ROOT} from '../helpers/agent.js'

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return commandFiles(p)
    return name.endsWith('.ts') ? [p] : []
  })
}

const src = join(ROOT, 'src', 'commands')
const expected = commandFiles(src)
  .map((f) => relative(src, f).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':'))
  .sort()

describe('command registry and oclif.manifest.json', () => {
  it('src/command-classes.ts registers every command in src/commands, in sorted order', () => {
    expect(Object.keys(COMMAND_CLASSES)).toEqual(expected)
  })

  it('the manifest lists every command, sorted, so it does not depend on the file system (rebuild with npm run build)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
    expect(Object.keys(manifest.commands)).toEqual(expected)
  })

  // npm test builds first, so on a checkout whose command sources are as committed the build
  // must not have changed the committed manifest (a clone must stay clean after `npm install`,
  // which builds too). While command sources are being edited the manifest changes with them.
  it('the build left the committed manifest unchanged', ({skip}) => {
    const status = (...paths: string[]) => spawnSync('git', ['status', '--porcelain', '--', ...paths], {cwd: ROOT, encoding: 'utf8'})
    const sources = status('src/commands', 'src/cli', 'src/command-classes.ts', 'package.json')
    if (sources.error || sources.status !== 0) skip('not a git checkout (or git is absent): nothing to compare with')
    if (sources.stdout !== '') skip('command sources differ from the commit: the manifest is expected to change with them')
    expect(status('oclif.manifest.json').stdout).toBe('')
  })
})
