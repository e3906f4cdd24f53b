import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {checkServerMetadata, writeServerMetadata} from '../../../src/agent/server/server-metadata.js'

const dirs: string[] = []
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'dc-md-'))
  dirs.push(d)
  return d
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, {recursive: true, force: true})))

const H = 3600_000
describe('server_metadata.json', () => {
  it('passes a new data dir and one seen recently', () => {
    const d = dir()
    expect(() => checkServerMetadata(d, {nowMs: 1000 * H, maxAgeMs: 168 * H, datacenter: 'dc1'})).not.toThrow()
    writeServerMetadata(d, {nowMs: 1000 * H, datacenter: 'dc1'})
    expect(() => checkServerMetadata(d, {nowMs: 1100 * H, maxAgeMs: 168 * H, datacenter: 'dc1'})).not.toThrow()
  })

  it('refuses a server offline longer than server_rejoin_age_max, with Consul\'s message', () => {
    const d = dir()
    writeServerMetadata(d, {nowMs: 1000 * H, datacenter: 'dc1'})
    expect(() => checkServerMetadata(d, {nowMs: 1169 * H, maxAgeMs: 168 * H, datacenter: 'dc1'})).toThrow(
      'refusing to rejoin cluster because server has been offline for more than the configured server_rejoin_age_max (168h0m0s) - consider wiping your data dir')
  })

  it('refuses another datacenter\'s data dir and a corrupt file, saying what to do', () => {
    const d = dir()
    writeServerMetadata(d, {nowMs: 1000 * H, datacenter: 'dc2'})
    expect(() => checkServerMetadata(d, {nowMs: 1000 * H, maxAgeMs: 168 * H, datacenter: 'dc1'})).toThrow(/belongs to datacenter "dc2".*-datacenter=dc2/)
    writeFileSync(join(d, 'server_metadata.json'), '{oops')
    expect(() => checkServerMetadata(d, {nowMs: 1000 * H, maxAgeMs: 168 * H, datacenter: 'dc1'})).toThrow(/cannot read .*server_metadata.json.*fix or delete/)
  })
})
