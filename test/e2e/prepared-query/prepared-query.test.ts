/**
 * Prepared queries end to end: a real `dc agent -dev` on 127.0.0.161, driven over HTTP
 * and (when `dig` is installed) over DNS.
 */
import {execFile} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {requireTool} from '../../helpers/tools.js'
import {parseDig, type DigResult} from '../dns/dig.js'

const IP = '127.0.0.161'
let agent: RunningAgent

async function call(method: string, path: string, body?: string): Promise<{status: number; text: string; json: () => any}> {
  const res = await fetch(agent.url + path, {method, body})
  const text = await res.text()
  return {status: res.status, text, json: () => JSON.parse(text)}
}

function dig(...args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', [`@${IP}`, '-p', String(agent.dnsPort), '+time=3', '+tries=1', ...args], {timeout: 15_000}, (err, stdout) => {
      if (err && !stdout) return reject(err)
      resolve(parseDig(stdout))
    })
  })
}

beforeAll(async () => {
  agent = await startAgent({dev: true, dns: true, bind: IP, node: 'pq-node'})
  for (const svc of [
    {Name: 'web', ID: 'web1', Port: 8080, Tags: ['v1', 'primary']},
    {Name: 'web', ID: 'web2', Port: 8081, Tags: ['v2', 'canary']},
    {Name: 'db', ID: 'db1', Port: 5432, Tags: ['primary']},
  ]) expect((await call('PUT', '/v1/agent/service/register', JSON.stringify(svc))).status).toBe(200)
  await waitFor(async () => (await call('GET', '/v1/catalog/service/web')).json().length === 2 || undefined)
}, 60_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

describe('prepared queries over HTTP', () => {
  it('creates, lists, gets, executes by name and by ID, updates and deletes', async () => {
    const created = await call('POST', '/v1/query', JSON.stringify({Name: 'web-q', Service: {Service: 'web', Tags: ['!canary']}, DNS: {TTL: '7s'}}))
    expect(created.status).toBe(200)
    const id = created.json().ID as string
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const list = await call('GET', '/v1/query')
    expect(list.json().map((q: {ID: string}) => q.ID)).toContain(id)
    const got = await call('GET', `/v1/query/${id}`)
    expect(got.json()).toEqual([expect.objectContaining({ID: id, Name: 'web-q', DNS: {TTL: '7s'}, Service: expect.objectContaining({Service: 'web', Tags: ['!canary'], IgnoreCheckIDs: null})})])
    for (const key of ['web-q', id]) {
      const ex = await call('GET', `/v1/query/${key}/execute`)
      expect(ex.status).toBe(200)
      const body = ex.json()
      expect(body).toMatchObject({Service: 'web', Datacenter: 'dc1', Failovers: 0, DNS: {TTL: '7s'}})
      expect(body.Nodes.map((n: {Service: {ID: string}}) => n.Service.ID)).toEqual(['web1'])
    }
    expect((await call('PUT', `/v1/query/${id}`, JSON.stringify({Name: 'web-q', Service: {Service: 'web'}}))).status).toBe(200)
    const both = (await call('GET', '/v1/query/web-q/execute?limit=1')).json()
    expect(both.Nodes).toHaveLength(1)
    expect((await call('DELETE', `/v1/query/${id}`)).status).toBe(200)
    expect(await call('GET', `/v1/query/${id}`)).toMatchObject({status: 404, text: 'Query not found'})
  })

  it('templates: longest name prefix, regexp groups, and explain shows the rendered query', async () => {
    expect((await call('POST', '/v1/query', JSON.stringify({Name: 'svc-', Template: {Type: 'name_prefix_match', Regexp: '^svc-([a-z]+)(?:-(.*))?$', RemoveEmptyTags: true}, Service: {Service: '${match(1)}', Tags: ['${match(2)}']}}))).status).toBe(200)
    const ex = (await call('GET', '/v1/query/svc-web-primary/execute')).json()
    expect(ex.Service).toBe('web')
    expect(ex.Nodes.map((n: {Service: {ID: string}}) => n.Service.ID)).toEqual(['web1'])
    const all = (await call('GET', '/v1/query/svc-web/execute')).json()
    expect(all.Nodes).toHaveLength(2)
    const explained = (await call('GET', '/v1/query/svc-db-x/explain')).json()
    expect(explained.Query.Service).toMatchObject({Service: 'db', Tags: ['x']})
  })

  it('a query bound to a session disappears when the session is destroyed', async () => {
    const session = (await call('PUT', '/v1/session/create', '{}')).json().ID as string
    const id = (await call('POST', '/v1/query', JSON.stringify({Session: session, Service: {Service: 'db'}}))).json().ID as string
    expect((await call('GET', `/v1/query/${id}/execute`)).json().Nodes).toHaveLength(1)
    expect((await call('PUT', `/v1/session/destroy/${session}`)).status).toBe(200)
    expect(await call('GET', `/v1/query/${id}`)).toMatchObject({status: 404, text: 'Query not found'})
  })

  it('bad input gets Consul\'s status and text, and the agent keeps serving', async () => {
    expect(await call('POST', '/v1/query', '{nope')).toMatchObject({status: 400, text: expect.stringMatching(/^Request decode failed: /)})
    expect(await call('POST', '/v1/query', '{"Name":"x","Service":{"Service":5}}')).toMatchObject({status: 400, text: 'Request decode failed: json: cannot unmarshal number into Go struct field PreparedQuery.Service.Service of type string'})
    expect(await call('POST', '/v1/query', '{"Name":"x"}')).toMatchObject({status: 500, text: 'Invalid prepared query: Must provide a Service name to query'})
    expect(await call('POST', '/v1/query', '{"Service":{"Service":"web"}}')).toMatchObject({status: 500, text: 'Invalid prepared query: Must be bound to a session'})
    const badRe = await call('POST', '/v1/query', JSON.stringify({Name: 'r-', Template: {Type: 'name_prefix_match', Regexp: '('}, Service: {Service: 'x'}}))
    expect(badRe).toMatchObject({status: 500, text: expect.stringMatching(/^raft apply failed: failed compiling template: Bad Regexp: error parsing regexp: /)})
    expect(await call('GET', '/v1/query/no-such-query/execute')).toMatchObject({status: 404, text: 'Query not found'})
    expect(await call('PUT', '/v1/query/no-such-id', '{"Name":"z","Service":{"Service":"x"}}')).toMatchObject({status: 500, text: "Cannot modify non-existent prepared query: 'no-such-id'"})
    expect(await call('POST', '/v1/query/web-q/execute')).toMatchObject({status: 405})
    expect((await call('GET', '/v1/agent/self')).status).toBe(200)
  })
})

describe('prepared queries over DNS (real dig)', () => {
  requireTool('dig')

  it('answers <name>.query.consul and <name>.query.<dc>.consul with the query TTL; unknown → NXDOMAIN', async () => {
    expect((await call('POST', '/v1/query', JSON.stringify({Name: 'dns-q', Service: {Service: 'web', Tags: ['primary']}, DNS: {TTL: '15s'}}))).status).toBe(200)
    const a = await dig('dns-q.query.consul', 'A')
    expect(a.status).toBe('NOERROR')
    expect(a.answer).toEqual([['dns-q.query.consul.', '15', 'IN', 'A', IP]])
    const srv = await dig('dns-q.query.dc1.consul', 'SRV')
    expect(srv.answer).toEqual([['dns-q.query.dc1.consul.', '15', 'IN', 'SRV', '1', '1', '8080', 'pq-node.node.dc1.consul.']])
    const tpl = await dig('svc-db.query.consul', 'SRV')
    expect(tpl.answer.map((r) => r[6])).toEqual(['5432'])
    expect(tpl.answer[0]![1]).toBe('0') // no query TTL, no service_ttl: 0
    expect((await dig('no-such-query.query.consul', 'A')).status).toBe('NXDOMAIN')
  })
})
