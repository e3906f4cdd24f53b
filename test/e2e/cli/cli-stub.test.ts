import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {assertBuilt, runCli} from './run-cli.js'
import {StubConsul} from './stub-consul.js'

// The CLI against a scripted HTTP server: checks the exact requests dc sends
// (paths, query, token, body) and the exact text it prints, independently of the
// dc agent. cli-agent.test.ts runs the same commands against a real agent.

const stub = new StubConsul()
const dir = mkdtempSync(join(tmpdir(), 'dc-cli-stub-'))
const b64 = (s: string) => Buffer.from(s).toString('base64')
const dc = (args: string[], opts: {env?: Record<string, string>; input?: string} = {}) => runCli([...args, `-http-addr=${stub.addr}`], opts)

const member = (Name: string, Addr: string, Status: number, role: string) => ({
  Name, Addr, Port: 8301, Status, Tags: {role, dc: 'dc1', vsn: '2', build: '0.1.0:deadbeef'},
  ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
})
const pair = (Key: string, value: string, extra: Record<string, unknown> = {}) => ({Key, Flags: 0, Value: b64(value), CreateIndex: 10, ModifyIndex: 12, LockIndex: 0, ...extra})

beforeAll(async () => {
  assertBuilt()
  await stub.start()
})
afterAll(async () => {
  await stub.stop()
  rmSync(dir, {recursive: true, force: true})
})
beforeEach(() => stub.reset())

describe('members', () => {
  beforeEach(() => {
    stub.on('GET /v1/agent/members', {json: [member('web-2', '127.0.0.12', 4, 'node'), member('srv-1', '127.0.0.11', 1, 'consul'), member('web-1', '127.0.0.13', 1, 'node')]})
  })

  it('prints Consul\'s columns, servers first; awk picks the addresses of alive members', async () => {
    const r = await dc(['members'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        'Node   Address          Status  Type    Build  Protocol  DC   Partition  Segment',
        'srv-1  127.0.0.11:8301  alive   server  0.1.0  2         dc1  default    <all>',
        'web-1  127.0.0.13:8301  alive   client  0.1.0  2         dc1  default    <default>',
        'web-2  127.0.0.12:8301  failed  client  0.1.0  2         dc1  default    <default>',
        '',
      ].join('\n'),
    )
    const alive = r.stdout.split('\n').filter((l) => /alive/.test(l)).map((l) => l.split(/\s+/)[1])
    expect(alive).toEqual(['127.0.0.11:8301', '127.0.0.13:8301'])
  })

  it('-status filters by regexp and exits 2 with no output when nothing matches; -wan asks the WAN pool', async () => {
    const [failed, none, wan] = await Promise.all([dc(['members', '-status=fail']), dc(['members', '-status=leaving']), dc(['members', '-wan'])])
    expect(failed.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['Node', 'web-2'])
    expect(none.code).toBe(2)
    expect(none.stdout + none.stderr).toBe('')
    expect(wan.code).toBe(0)
    expect(stub.requests('GET /v1/agent/members').some((q) => q.query.get('wan') === '1')).toBe(true)
  })

  it('-format=json and --json print the member documents', async () => {
    const [a, b] = await Promise.all([dc(['members', '-format=json']), dc(['members', '--json'])])
    const docs = JSON.parse(a.stdout)
    expect(docs.map((m: {Name: string}) => m.Name)).toEqual(['srv-1', 'web-1', 'web-2'])
    expect(docs[0].Status).toBe(1)
    expect(JSON.parse(b.stdout)).toEqual(docs)
  })

  it('-detailed lists sorted tags', async () => {
    const r = await dc(['members', '-detailed', '-status=alive'])
    expect(r.stdout.split('\n')[0]).toBe('Node   Address          Status  Tags')
    expect(r.stdout).toContain('srv-1  127.0.0.11:8301  alive   ap=default,build=0.1.0:deadbeef,dc=dc1,role=consul,segment=<all>,vsn=2')
  })
})

describe('client flags and errors', () => {
  it('-token and -datacenter (and CONSUL_HTTP_TOKEN) reach the server', async () => {
    stub.on('GET /v1/kv/a', {json: [pair('a', '1')]})
    await dc(['kv', 'get', '-token=s3cret', '-datacenter=dc9', 'a'])
    await dc(['kv', 'get', 'a'], {env: {CONSUL_HTTP_TOKEN: 'env-token'}})
    const [withFlags, withEnv] = stub.requests('GET /v1/kv/a')
    expect(withFlags.headers['x-consul-token']).toBe('s3cret')
    expect(withFlags.query.get('dc')).toBe('dc9')
    expect(withEnv.headers['x-consul-token']).toBe('env-token')
    expect(withEnv.query.has('dc')).toBe(false)
  })

  it('server errors print Consul\'s message on one Error! line, exit 1', async () => {
    stub.on('GET /v1/agent/self', {status: 500, text: 'No cluster leader'})
    const r = await dc(['info'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('Error! Unexpected response code: 500 (No cluster leader)\n')
  })
})

describe('kv', () => {
  it('get prints the raw value; -detailed the aligned fields; missing key is an error', async () => {
    stub.on('GET /v1/kv/config/a', {json: [pair('config/a', 'hello', {Flags: 3, Session: 'sess-1', LockIndex: 1})]})
    const [plain, detailed, missing] = await Promise.all([dc(['kv', 'get', 'config/a']), dc(['kv', 'get', '-detailed', 'config/a']), dc(['kv', 'get', 'nope'])])
    expect(plain.stdout).toBe('hello\n')
    expect(detailed.stdout).toBe(
      'CreateIndex      10\nFlags            3\nKey              config/a\nLockIndex        1\nModifyIndex      12\nSession          sess-1\nValue            hello\n',
    )
    expect(missing.code).toBe(1)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toBe('Error! No key exists at: nope\n')
  })

  it('get -recurse prints key:value lines, -keys asks with a separator, -format=json the pairs', async () => {
    stub.on('GET /v1/kv/cfg/', (q) =>
      q.query.has('keys') ? {json: ['cfg/a', 'cfg/sub/']} : {json: [pair('cfg/a', '1'), pair('cfg/b', 'two')]},
    )
    const [rec, keys, json] = await Promise.all([
      dc(['kv', 'get', '-recurse', 'cfg/']),
      dc(['kv', 'get', '-keys', 'cfg/']),
      dc(['kv', 'get', '-recurse', '-format=json', 'cfg/']),
    ])
    expect(rec.stdout).toBe('cfg/a:1\ncfg/b:two\n')
    expect(keys.stdout).toBe('cfg/a\ncfg/sub/\n')
    expect(stub.requests('GET /v1/kv/cfg/').find((q) => q.query.has('keys'))?.query.get('separator')).toBe('/')
    expect(JSON.parse(json.stdout).map((p: {Key: string}) => p.Key)).toEqual(['cfg/a', 'cfg/b'])
  })

  it('put sends the value (literal, stdin, @file) and flags; prints Success!', async () => {
    stub.on('PUT /v1/kv/k', {json: true})
    const file = join(dir, 'v.txt')
    writeFileSync(file, 'from-file')
    const lit = await dc(['kv', 'put', '-flags=5', 'k', 'v1'])
    const stdin = await dc(['kv', 'put', 'k', '-'], {input: 'from-stdin'})
    const fromFile = await dc(['kv', 'put', 'k', `@${file}`])
    const empty = await dc(['kv', 'put', 'k'])
    for (const r of [lit, stdin, fromFile, empty]) expect(r.stdout).toBe('Success! Data written to: k\n')
    const bodies = stub.requests('PUT /v1/kv/k').map((q) => q.body.toString())
    expect(bodies).toEqual(['v1', 'from-stdin', 'from-file', ''])
    expect(stub.requests('PUT /v1/kv/k')[0].query.get('flags')).toBe('5')
  })

  it('put -cas reports a failed CAS; -acquire without -session is refused', async () => {
    stub.on('PUT /v1/kv/k', {json: false})
    const [cas, acq] = await Promise.all([dc(['kv', 'put', '-cas', '-modify-index=7', 'k', 'v']), dc(['kv', 'put', '-acquire', 'k', 'v'])])
    expect(cas.code).toBe(1)
    expect(cas.stderr).toBe('Error! Did not write to k: CAS failed\n')
    expect(stub.requests('PUT /v1/kv/k')[0].query.get('cas')).toBe('7')
    expect(acq.stderr).toBe('Error! Missing -session (required with -acquire and -release)\n')
  })

  it('delete and delete -recurse', async () => {
    stub.on('DELETE /v1/kv/k', {json: true}).on('DELETE /v1/kv/p/', {json: true})
    const [one, tree] = await Promise.all([dc(['kv', 'delete', 'k']), dc(['kv', 'delete', '-recurse', 'p/'])])
    expect(one.stdout).toBe('Success! Deleted key: k\n')
    expect(tree.stdout).toBe('Success! Deleted keys with prefix: p/\n')
    expect(stub.requests('DELETE /v1/kv/p/')[0].query.has('recurse')).toBe(true)
  })
})

describe('agent and catalog commands', () => {
  it('info prints sorted sections', async () => {
    stub.on('GET /v1/agent/self', {json: {Config: {NodeName: 'n1'}, Stats: {raft: {state: 'Leader'}, agent: {checks: '0', services: '1'}}}})
    const r = await dc(['info'])
    expect(r.stdout).toBe('agent:\n\tchecks = 0\n\tservices = 1\nraft:\n\tstate = Leader\n')
  })

  it('join counts the addresses that worked; leave and reload print Consul\'s lines', async () => {
    stub.on('PUT /v1/agent/join/127.0.0.5:8301', {}).on('PUT /v1/agent/join/127.0.0.6', {status: 500, text: 'no route'})
    stub.on('PUT /v1/agent/leave', {}).on('PUT /v1/agent/reload', {})
    const [join, leave, reload] = await Promise.all([dc(['join', '127.0.0.5:8301', '127.0.0.6']), dc(['leave']), dc(['reload'])])
    expect(join.code).toBe(0)
    expect(join.stdout).toBe('Successfully joined cluster by contacting 1 nodes.\n')
    expect(join.stderr).toContain("Error joining address '127.0.0.6'")
    expect(leave.stdout).toBe('Graceful leave complete\n')
    expect(reload.stdout).toBe('Configuration reload triggered\n')
  })

  it('catalog datacenters / nodes / services', async () => {
    stub.on('GET /v1/catalog/datacenters', {json: ['dc1', 'dc2']})
    stub.on('GET /v1/catalog/nodes', {json: [{ID: 'abcd1234-0000-0000-0000-000000000000', Node: 'n1', Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: null, Meta: {rack: 'r1'}, CreateIndex: 1, ModifyIndex: 1}]})
    stub.on('GET /v1/catalog/services', {json: {consul: [], web: ['v2', 'v1']}})
    const [dcs, nodes, svcs, tags] = await Promise.all([
      dc(['catalog', 'datacenters']),
      dc(['catalog', 'nodes', '-node-meta=rack=r1']),
      dc(['catalog', 'services']),
      dc(['catalog', 'services', '-tags']),
    ])
    expect(dcs.stdout).toBe('dc1\ndc2\n')
    expect(nodes.stdout).toBe('Node  ID        Address    DC\nn1    abcd1234  127.0.0.1  dc1\n')
    expect(stub.requests('GET /v1/catalog/nodes')[0].query.getAll('node-meta')).toEqual(['rack:r1'])
    expect(svcs.stdout).toBe('consul\nweb\n')
    expect(tags.stdout).toBe('consul      \nweb         v1,v2\n')
  })

  it('services register from flags and from a file; deregister by id', async () => {
    stub.on('PUT /v1/agent/service/register', {}).on('PUT /v1/agent/service/deregister/web-1', {})
    const file = join(dir, 'db.json')
    writeFileSync(file, JSON.stringify({service: {name: 'db', port: 5432, enable_tag_override: true}}))
    const flags = await dc(['services', 'register', '-name=web', '-id=web-1', '-port=8080', '-tag=a', '-tag=b', '-meta=team=edge'])
    const fromFile = await dc(['services', 'register', file])
    const dereg = await dc(['services', 'deregister', '-id=web-1'])
    expect(flags.stdout).toBe('Registered service: web\n')
    expect(fromFile.stdout).toBe('Registered service: db\n')
    expect(dereg.stdout).toBe('Deregistered service: web-1\n')
    const bodies = stub.requests('PUT /v1/agent/service/register').map((q) => JSON.parse(q.body.toString()))
    expect(bodies).toEqual([
      {Name: 'web', ID: 'web-1', Port: 8080, Tags: ['a', 'b'], Meta: {team: 'edge'}},
      {Name: 'db', Port: 5432, EnableTagOverride: true, Meta: {}, TaggedAddresses: {}, Tags: []},
    ])
  })

  it('maint lists, enables and disables', async () => {
    stub.on('GET /v1/agent/self', {json: {Config: {NodeName: 'n1'}, Stats: {}}})
    stub.on('GET /v1/agent/checks', {json: {_node_maintenance: {Node: 'n1', CheckID: '_node_maintenance', Name: 'Node Maintenance Mode', Status: 'critical', Notes: 'patching', Output: '', ServiceID: '', ServiceName: '', ServiceTags: [], Type: 'maintenance'}}})
    stub.on('PUT /v1/agent/maintenance', {}).on('PUT /v1/agent/service/maintenance/web', {})
    const [list, on, off] = await Promise.all([dc(['maint']), dc(['maint', '-enable', '-reason=patching']), dc(['maint', '-disable', '-service=web'])])
    expect(list.stdout).toBe('Node:\n  Name:   n1\n  Reason: patching\n\n')
    expect(on.stdout).toBe('Node maintenance is now enabled\n')
    expect(off.stdout).toBe('Service maintenance is now disabled for "web"\n')
    const enable = stub.requests('PUT /v1/agent/maintenance')[0]
    expect([enable.query.get('enable'), enable.query.get('reason')]).toEqual(['true', 'patching'])
    expect(stub.requests('PUT /v1/agent/service/maintenance/web')[0].query.get('enable')).toBe('false')
  })

  it('operator raft list-peers: six columns without autopilot health, eight with it', async () => {
    stub.on('GET /v1/operator/raft/configuration', {json: {Index: 5, Servers: [{ID: 'id-1', Node: 'srv-1', Address: '127.0.0.1:8300', Leader: true, ProtocolVersion: '3', Voter: true}]}})
    const six = await dc(['operator', 'raft', 'list-peers'])
    expect(six.stdout).toBe('Node   ID    Address         State   Voter  RaftProtocol\nsrv-1  id-1  127.0.0.1:8300  leader  true   3\n')
    stub.on('GET /v1/operator/autopilot/health', {json: {Healthy: true, FailureTolerance: 0, Servers: [{ID: 'id-1', LastIndex: 42}]}})
    const eight = await dc(['operator', 'raft', 'list-peers', '-stale'])
    expect(eight.stdout.split('\n')[0]).toBe('Node   ID    Address         State   Voter  RaftProtocol  Commit Index  Trails Leader By')
    expect(eight.stdout.split('\n')[1]).toBe('srv-1  id-1  127.0.0.1:8300  leader  true   3             42            _')
    expect(stub.requests('GET /v1/operator/raft/configuration').at(-1)?.query.has('stale')).toBe(true)
  })
})
