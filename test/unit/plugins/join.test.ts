import dgram from 'node:dgram'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as dnsPacket from 'dns-packet'
import {afterEach, describe, expect, it} from 'vitest'
import {discoverJoinTargets} from '../../../src/agent/join/discover.js'
import {parseProviderEntry} from '../../../src/agent/join/entry.js'
import {builtinPlugin} from '../../../src/agent/plugins/builtin.js'
import {PluginRegistry} from '../../../src/agent/plugins/registry.js'
import type {PluginEnv} from '../../../src/plugin.js'
import {createFakeEnv} from '../registry/fake-env.js'

const fake = createFakeEnv(1)
const env: PluginEnv = {nowMs: () => fake.clock.nowMs(), wallMs: () => fake.clock.wallMs(), after: fake.timers.after, log: fake.log, nodeName: 'n', datacenter: 'dc1'}
const registry = new PluginRegistry()
registry.addSync('builtin', builtinPlugin, env)
const discover = (entry: string, r = registry) => discoverJoinTargets(entry, r, () => env)

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

describe('retry_join provider entries', () => {
  it("reads go-discover's key=value syntax with quoted values", () => {
    expect(parseProviderEntry('provider=aws tag_key=consul tag_value="a \\"b\\" c" region=eu-west-1')).toEqual({provider: 'aws', args: {tag_key: 'consul', tag_value: 'a "b" c', region: 'eu-west-1'}})
    expect(() => parseProviderEntry('provider=file path')).toThrow(/cannot read it at "path"/)
  })

  it('file: one address per line, re-read on every attempt', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dc-join-')), 'peers')
    writeFileSync(path, '# servers\n127.0.0.81:8301\n\n 127.0.0.82 \n')
    expect(await discover(`provider=file path=${path}`)).toEqual(['127.0.0.81:8301', '127.0.0.82'])
    writeFileSync(path, '127.0.0.83\n')
    expect(await discover(`provider=file path=${path}`)).toEqual(['127.0.0.83'])
    await expect(discover('provider=file')).rejects.toThrow('join provider "file": provider=file needs path=<file with one address per line>')
    await expect(discover(`provider=file path=${path}.none`)).rejects.toThrow(/cannot read .*\.none: ENOENT/)
  })

  it('dns: SRV and A records from a given server', async () => {
    const sock = dgram.createSocket('udp4')
    sock.on('message', (msg, from) => {
      const q = dnsPacket.decode(msg)
      const question = q.questions![0]
      const answers: dnsPacket.Answer[] = question.type === 'SRV'
        ? [{type: 'SRV', name: question.name, data: {priority: 1, weight: 1, port: 8301, target: 'node-a.example.internal'}}]
        : question.type === 'A' ? [{type: 'A', name: question.name, data: '127.0.0.84'}] : []
      sock.send(dnsPacket.encode({id: q.id, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers}), from.port, from.address)
    })
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
    cleanups.push(() => sock.close())
    const server = `127.0.0.1:${sock.address().port}`
    expect(await discover(`provider=dns name=_dc._tcp.example.internal server=${server}`)).toEqual(['node-a.example.internal:8301'])
    expect(await discover(`provider=dns name=servers.example.internal type=A server=${server}`)).toEqual(['127.0.0.84'])
    await expect(discover('provider=dns')).rejects.toThrow(/needs name=/)
  })

  it('an unknown provider, a failing one, a hanging one and one returning garbage are errors naming it', async () => {
    await expect(discover('provider=aws tag_key=x')).rejects.toThrow('unknown join provider "aws"; known: dns, file (others come from plugins, see docs/plugins.md)')
    const r = new PluginRegistry()
    await r.add('p', {apiVersion: 1, register: (api) => {
      api.joinProvider({name: 'garbage', discover: () => [1, 2] as unknown as string[]})
      api.joinProvider({name: 'throws', discover: () => {
        throw new Error('no credentials')
      }})
      api.joinProvider({name: 'hangs', discover: () => new Promise(() => {})})
    }}, {}, env)
    await expect(discover('provider=garbage', r)).rejects.toThrow('join provider "garbage" returned [1,2], not a list of addresses; skipped')
    await expect(discover('provider=throws', r)).rejects.toThrow('join provider "throws": no credentials')
    const hung = discover('provider=hangs', r)
    fake.advance(10_000)
    await expect(hung).rejects.toThrow('join provider "hangs" did not answer within 10s')
  })
})
