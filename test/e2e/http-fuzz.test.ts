import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/agent/env/prng.js'
import {routes} from '../../src/agent/http/routes.js'
import {startAgent, type RunningAgent} from '../helpers/agent.js'

/**
 * Bad input never crashes the agent: a seeded barrage of malformed requests against
 * every route (wrong methods, odd paths, bad query values, broken JSON, binary
 * bodies). Every answer must be an HTTP response; 5xx only with a plain message; the
 * agent must keep serving and keep its data.
 */
let agent: RunningAgent
beforeAll(async () => {
  agent = await startAgent({})
})
afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']
const QUERY = ['index=-1', 'index=abc', 'wait=10', 'wait=1x', 'stale', 'consistent', 'recurse', 'keys', 'separator=', 'cas=-5', 'cas=x', 'flags=1e99', 'acquire=', 'release=zz', 'filter=Service%20%3D%3D', 'filter=(((', 'tag=', 'passing=maybe', 'dc=', 'near=_agent', 'node-meta=bad', 'replace-existing-checks', 'enable=perhaps', 'note=%FF', 'raw', 'pretty']
const BODIES = ['', '{', '[]', '{}', 'null', '"str"', '12', '{"Name": 5}', '{"ID": {"x": 1}}', '[{"KV": {"Verb": "nope"}}]', '[{"KV": null}]', '{"Node": "", "Address": ""}', '{"TTL": 5}', '{"Check": {"TTL": "x"}}', '\u0000\u0001\u0002', '{"a":'.repeat(50)]

describe('HTTP bad-input barrage', () => {
  it('answers 2,000 malformed requests without crashing and keeps its data', async () => {
    await fetch(`${agent.url}/v1/kv/keep`, {method: 'PUT', body: 'me'})
    const rnd = seededRandom(777)
    const pick = <T>(xs: readonly T[]): T => xs[rnd.int(xs.length)]
    const paths = routes.map((r) => r.path)
    const statuses = new Map<number, number>()
    for (let i = 0; i < 2000; i++) {
      let path = pick(paths)
      if (path.endsWith('/')) path += pick(['', 'x', 'a/b', '%2e%2e/x', 'service:web', '../../etc', '%ZZ', 'ü'])
      if (path.includes('/agent/leave') || path.includes('/agent/force-leave')) continue
      const qs = Array.from({length: rnd.int(3)}, () => pick(QUERY)).join('&')
      const method = pick(METHODS)
      // A well-formed "delete everything" is not bad input; it would only erase the canary.
      if (method === 'DELETE' && path === '/v1/kv/' && qs.includes('recurse')) continue
      const body = method === 'GET' || method === 'OPTIONS' ? undefined : rnd.int(4) === 0 ? Buffer.from(rnd.bytes(rnd.int(300))) : pick(BODIES)
      let res: Response
      try {
        res = await fetch(`${agent.url}${encodeURI(path).replace(/%25/g, '%')}${qs ? '?' + qs : ''}`, {method, body, signal: AbortSignal.timeout(5000)})
      } catch (e) {
        throw new Error(`request ${i} ${method} ${path}?${qs} got no HTTP answer: ${String(e)}`)
      }
      const text = await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (res.status >= 500) expect(text.length, `${method} ${path}?${qs}`).toBeGreaterThan(0)
    }
    // The barrage must have exercised the error paths, not only happy ones.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100)
    expect(statuses.get(405) ?? 0).toBeGreaterThan(100)
    expect((await fetch(`${agent.url}/v1/status/leader`)).status).toBe(200)
    expect(await (await fetch(`${agent.url}/v1/kv/keep?raw`)).text()).toBe('me')
    expect(agent.proc.exitCode).toBeNull()
  })
})
