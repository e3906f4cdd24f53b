import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ConsulClient} from '../../../src/api/client.js'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt, runCli, type CliResult} from './run-cli.js'

// The built CLI against a real dc agent (-server -bootstrap on ephemeral ports).
// Expectations are Consul's documented behaviour and output.

let agent: RunningAgent
let api: ConsulClient
const dc = (args: string[], input?: string): Promise<CliResult> => runCli([...args, `-http-addr=${agent.httpAddr}`], {input})
const ok = (r: CliResult) => {
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r.stdout
}

beforeAll(async () => {
  assertBuilt()
  agent = await startAgent()
  api = new ConsulClient({address: agent.httpAddr, env: {}})
  // KV writes need a leader.
  await waitFor(async () => (await api.status.leader()).body !== '', 20_000)
}, 40_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

describe('kv against a live agent', () => {
  it('put / get / -detailed / -flags', async () => {
    expect(ok(await dc(['kv', 'put', '-flags=42', 'app/config/db', 'postgres://x']))).toBe('Success! Data written to: app/config/db\n')
    expect(ok(await dc(['kv', 'get', 'app/config/db']))).toBe('postgres://x\n')
    const lines = ok(await dc(['kv', 'get', '-detailed', 'app/config/db'])).trimEnd().split('\n')
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['CreateIndex', 'Flags', 'Key', 'LockIndex', 'ModifyIndex', 'Session', 'Value'])
    expect(lines[1]).toBe('Flags            42')
    expect(lines[2]).toBe('Key              app/config/db')
    expect(lines[3]).toBe('LockIndex        0')
    expect(lines[5]).toBe('Session          -')
    expect(lines[6]).toBe('Value            postgres://x')
    expect(Number(lines[4].split(/\s+/)[1])).toBeGreaterThan(0)
  })

  it('a missing key is "Error! No key exists at: <key>", exit 1', async () => {
    const r = await dc(['kv', 'get', 'app/missing'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('Error! No key exists at: app/missing\n')
  })

  it('-recurse, -keys, stdin values and -format=json', async () => {
    ok(await dc(['kv', 'put', 'app/config/cache', '-'], 'redis'))
    ok(await dc(['kv', 'put', 'app/feature/x', 'on']))
    expect(ok(await dc(['kv', 'get', '-recurse', 'app/config/']))).toBe('app/config/cache:redis\napp/config/db:postgres://x\n')
    expect(ok(await dc(['kv', 'get', '-keys', 'app/']))).toBe('app/config/\napp/feature/\n')
    const docs = JSON.parse(ok(await dc(['kv', 'get', '-recurse', '-format=json', 'app/'])))
    expect(docs.map((p: {Key: string}) => p.Key)).toEqual(['app/config/cache', 'app/config/db', 'app/feature/x'])
    expect(Buffer.from(docs[0].Value, 'base64').toString()).toBe('redis')
  })

  it('-cas succeeds only with the current ModifyIndex', async () => {
    const {body: pair} = await api.kv.get('app/feature/x')
    const stale = await dc(['kv', 'put', '-cas', `-modify-index=${pair!.ModifyIndex + 1000}`, 'app/feature/x', 'off'])
    expect(stale.code).toBe(1)
    expect(stale.stderr).toBe('Error! Did not write to app/feature/x: CAS failed\n')
    expect(ok(await dc(['kv', 'put', '-cas', `-modify-index=${pair!.ModifyIndex}`, 'app/feature/x', 'off']))).toBe('Success! Data written to: app/feature/x\n')
    expect(ok(await dc(['kv', 'get', 'app/feature/x']))).toBe('off\n')
  })

  it('-acquire / -release with a session', async () => {
    const {body: session} = await api.session.create({TTL: '60s', Name: 'cli-test'})
    expect(ok(await dc(['kv', 'put', '-acquire', `-session=${session}`, 'locks/leader', 'me']))).toBe('Success! Lock acquired on: locks/leader\n')
    const detailed = ok(await dc(['kv', 'get', '-detailed', 'locks/leader']))
    expect(detailed).toContain(`Session          ${session}`)
    expect(detailed).toContain('LockIndex        1')
    expect(ok(await dc(['kv', 'put', '-release', `-session=${session}`, 'locks/leader', 'me']))).toBe('Success! Lock released on: locks/leader\n')
    expect(ok(await dc(['kv', 'get', '-detailed', 'locks/leader']))).toContain('Session          -')
    await api.session.destroy(session)
  })

  it('export → delete -recurse → import restores the tree', async () => {
    const exported = ok(await dc(['kv', 'export', 'app/']))
    const entries = JSON.parse(exported)
    expect(entries.map((e: {key: string}) => e.key)).toEqual(['app/config/cache', 'app/config/db', 'app/feature/x'])
    expect(entries[1]).toEqual({key: 'app/config/db', flags: 42, value: Buffer.from('postgres://x').toString('base64')})
    expect(ok(await dc(['kv', 'delete', '-recurse', 'app/']))).toBe('Success! Deleted keys with prefix: app/\n')
    expect((await api.kv.list('app/')).body).toEqual([])
    expect(ok(await dc(['kv', 'import', '-'], exported))).toBe('Imported: app/config/cache\nImported: app/config/db\nImported: app/feature/x\n')
    expect(ok(await dc(['kv', 'get', '-detailed', 'app/config/db']))).toContain('Flags            42')
    expect(ok(await dc(['kv', 'delete', 'app/feature/x']))).toBe('Success! Deleted key: app/feature/x\n')
    expect((await dc(['kv', 'get', 'app/feature/x'])).code).toBe(1)
  })

  it('the API client blocks on X-Consul-Index until the key changes', async () => {
    await api.kv.put('watch/me', '1')
    const first = await api.kv.get('watch/me')
    expect(first.meta.lastIndex).toBeGreaterThan(0)
    expect(first.meta.knownLeader).toBe(true)
    const blocked = api.kv.get('watch/me', {index: first.meta.lastIndex, wait: '10s'})
    await api.kv.put('watch/me', '2')
    const next = await blocked
    expect(next.meta.lastIndex).toBeGreaterThan(first.meta.lastIndex)
    expect(Buffer.from(next.body!.Value!, 'base64').toString()).toBe('2')
  })
})

describe('agent and catalog commands against a live agent', () => {
  it('members lists this server as alive (and awk can pick its address)', async () => {
    const out = ok(await dc(['members']))
    const lines = out.trimEnd().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'])
    const me = lines.find((l) => l.startsWith('test-node '))
    expect(me?.split(/\s+/).slice(2, 4)).toEqual(['alive', 'server'])
    expect(lines.filter((l) => /alive/.test(l)).map((l) => l.split(/\s+/)[1])[0]).toMatch(/^127\.0\.0\.1:\d+$/)
    const none = await dc(['members', '-status=^left$'])
    expect(none.code).toBe(2)
    const json = JSON.parse(ok(await dc(['members', '--json'])))
    expect(json.find((m: {Name: string}) => m.Name === 'test-node')?.Status).toBe(1)
  })

  it('info prints sectioned key = value stats', async () => {
    const out = ok(await dc(['info']))
    expect(out).toMatch(/^agent:\n/m)
    expect(out).toMatch(/^raft:\n/m)
    expect(out.split('\n').filter((l) => l.startsWith('\t')).every((l) => /^\t\S+ = /.test(l))).toBe(true)
  })

  it('operator raft list-peers shows this server as leader', async () => {
    const lines = ok(await dc(['operator', 'raft', 'list-peers'])).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^Node\s+ID\s+Address\s+State\s+Voter\s+RaftProtocol/)
    expect(lines).toHaveLength(2)
    expect(lines[1].split(/\s+/)[0]).toBe('test-node')
    // Its Address is the RPC address it is bound to (an ephemeral port), not a default :8300.
    expect(lines[1].split(/\s+/).slice(2, 5)).toEqual([agent.rpcAddr, 'leader', 'true'])
    expect(ok(await dc(['operator', 'raft', 'list-peers', '-stale']))).toContain('test-node')
  })

  it('catalog datacenters and nodes', async () => {
    expect(ok(await dc(['catalog', 'datacenters']))).toBe('dc1\n')
    await waitFor(async () => (await api.catalog.nodes()).body.some((n) => n.Node === 'test-node'))
    const lines = ok(await dc(['catalog', 'nodes'])).trimEnd().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['Node', 'ID', 'Address', 'DC'])
    expect(lines.find((l) => l.startsWith('test-node'))?.split(/\s+/).slice(2)).toEqual(['127.0.0.1', 'dc1'])
  })

  it('services register / catalog services -tags / services deregister', async () => {
    expect(ok(await dc(['services', 'register', '-name=web', '-id=web-1', '-port=8080', '-tag=v1', '-tag=primary']))).toBe('Registered service: web\n')
    expect((await api.agent.services()).body['web-1']).toMatchObject({Service: 'web', Port: 8080, Tags: ['v1', 'primary']})
    // anti-entropy copies the registration into the catalog
    await waitFor(async () => 'web' in (await api.catalog.services()).body)
    expect(ok(await dc(['catalog', 'services', '-tags']))).toMatch(/^web {2,}primary,v1$/m)
    expect(ok(await dc(['catalog', 'nodes', '-service=web']))).toContain('test-node')
    expect(ok(await dc(['services', 'deregister', '-id=web-1']))).toBe('Deregistered service: web-1\n')
    expect((await api.agent.services()).body['web-1']).toBeUndefined()
  })

  it('maint enables, lists and disables node maintenance', async () => {
    expect(ok(await dc(['maint', '-enable', '-reason=kernel upgrade']))).toBe('Node maintenance is now enabled\n')
    expect(ok(await dc(['maint']))).toBe('Node:\n  Name:   test-node\n  Reason: kernel upgrade\n\n')
    expect(ok(await dc(['maint', '-disable']))).toBe('Node maintenance is now disabled\n')
    expect(ok(await dc(['maint']))).toBe('')
  })

  it('reload, then leave shuts the agent down gracefully', async () => {
    expect(ok(await dc(['reload']))).toBe('Configuration reload triggered\n')
    expect(ok(await dc(['leave']))).toBe('Graceful leave complete\n')
    await waitFor(() => agent.proc.exitCode !== null || agent.proc.signalCode !== null, 15_000)
  })
})
