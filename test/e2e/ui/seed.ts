import {waitFor, type RunningAgent} from '../../helpers/agent.js'

/** PUT JSON (or a raw body) to the agent; throws on a non-2xx answer. */
export async function put(agent: RunningAgent, path: string, body?: unknown): Promise<string> {
  const res = await fetch(`${agent.url}${path}`, {method: 'PUT', body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)})
  const text = await res.text()
  if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${text}`)
  return text
}

export async function getJson<T = any>(agent: RunningAgent, path: string): Promise<T> {
  const res = await fetch(`${agent.url}${path}`)
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`)
  return (await res.json()) as T
}

/**
 * Services on the agent's own node (one with a TTL check the tests flip), an external
 * node that is failed (critical serfHealth), another healthy one, KV keys of each kind,
 * a session holding a lock and a spare session (for the invalidate test).
 */
export async function seed(agent: RunningAgent): Promise<{session: string; lockSession: string}> {
  await put(agent, '/v1/agent/service/register', {Name: 'web', ID: 'web-1', Port: 8080, Tags: ['primary', 'v1'], Meta: {version: '1.2'}, Check: {CheckID: 'web-ttl', Name: 'web TTL', TTL: '10m'}})
  await put(agent, '/v1/agent/check/pass/web-ttl?note=all%20good')
  await put(agent, '/v1/agent/service/register', {Name: 'db', ID: 'db-1', Port: 5432, Tags: ['pg']})
  await put(agent, '/v1/catalog/register', {
    Node: 'ext-failed', Address: '10.0.0.5', NodeMeta: {rack: 'r1'},
    Service: {Service: 'web', ID: 'web-ext', Port: 80, Tags: ['edge']},
    Check: {CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical', Output: 'Agent not live or unreachable'},
  })
  await put(agent, '/v1/catalog/register', {Node: 'ext-ok', Address: '10.0.0.6', Service: {Service: 'cache', ID: 'cache-1', Port: 6379, Tags: ['redis']}})
  await put(agent, '/v1/kv/app/config.json', '{"replicas":3,"features":["a","b"]}')
  await put(agent, '/v1/kv/app/name?flags=42', 'hello')
  await put(agent, '/v1/kv/app/sub/', undefined)
  await put(agent, '/v1/kv/blob', new Uint8Array([0, 1, 2, 0xff]))
  const {ID: lockSession} = JSON.parse(await put(agent, '/v1/session/create', {Name: 'ui-lock', Node: 'test-node', LockDelay: '0s'}))
  if ((await put(agent, `/v1/kv/locks/leader?acquire=${lockSession}`, 'me')) !== 'true') throw new Error('lock not acquired')
  const {ID: session} = JSON.parse(await put(agent, '/v1/session/create', {Name: 'ui-spare', Node: 'test-node'}))
  // Anti-entropy puts the agent's services into the catalog; wait until they are there.
  await waitFor(async () => (await getJson(agent, '/v1/catalog/service/db')).length === 1)
  return {session, lockSession}
}
