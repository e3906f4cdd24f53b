import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/agent.js'

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return commandFiles(p)
    return name.endsWith('.ts') ? [p] : []
  })
}

describe('oclif.manifest.json', () => {
  it('lists every command in src/commands (rebuild with npm run build)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const src = join(ROOT, 'src', 'commands')
    const expected = commandFiles(src)
      .map((f) => relative(src, f).replace(/\.ts$/, '').replace(/\/index$/, '').split('/').join(':'))
      .sort()
    expect(Object.keys(manifest.commands).sort()).toEqual(expected)
  })
})
