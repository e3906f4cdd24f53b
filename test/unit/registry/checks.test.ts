import http from 'node:http'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {RemoteAliasChecks, type NodeChecksQuery} from '../../../src/agent/checks/alias-remote.js'
import {afterEach, describe, expect, it} from 'vitest'
import {createCheckRunner, createNodeProbers, type AliasSource, type CheckRunner, type CheckStatus, type TtlRunner} from '../../../src/agent/checks/index.js'
import {applyResult, initialStreaks} from '../../../src/agent/checks/core/thresholds.js'
import {parseCheckDefinition, type CheckDefinition} from '../../../src/agent/services/index.js'
import {createFakeEnv, until, type FakeEnv} from './fake-env.js'

function def(raw: Record<string, unknown>): CheckDefinition {
  const d = parseCheckDefinition({Name: 'c', ...raw})!
  return {...d, id: d.id || 'c1'}
}

interface Harness {
  env: FakeEnv
  results: {status: CheckStatus; output: string}[]
  runner: CheckRunner
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

function run(d: CheckDefinition, alias?: AliasSource): Harness {
  const env = createFakeEnv(7)
  const results: Harness['results'] = []
  const runner = createCheckRunner(d, {env, log: env.log, notify: (_id, status, output) => void results.push({status, output}), probers: createNodeProbers(), nodeName: 'node1', alias})
  runner.start()
  cleanups.push(() => runner.stop())
  return {env, results, runner}
}

/** A loopback HTTP target whose answer the test flips; counts requests in flight. */
async function target() {
  const state = {code: 200, body: 'ok', hang: false, inflight: 0, maxInflight: 0, requests: 0}
  const server = http.createServer((req, res) => {
    state.requests++
    state.inflight++
    state.maxInflight = Math.max(state.maxInflight, state.inflight)
    res.on('close', () => state.inflight--)
    if (state.hang) return
    res.writeHead(state.code, {'content-type': 'text/plain'})
    res.end(state.body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`
  cleanups.push(() => new Promise<void>((r) => {
    server.closeAllConnections()
    server.close(() => r())
  }))
  return {state, url}
}

/**
 * Fire the next timer (the next probe; virtual time stands still while it runs on
 * real sockets, so its timeout cannot fire early) and wait for its report.
 */
async function tick(h: Harness, expected: number) {
  h.env.advanceToNext()
  await until(() => h.results.length >= expected)
  return h.results[expected - 1]
}

describe('check thresholds', () => {
  it('reports after the configured streaks, warning before critical', () => {
    const t = {successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 3}
    let s = initialStreaks
    const seen: (string | undefined)[] = []
    for (const status of ['passing', 'passing', 'critical', 'critical', 'critical', 'passing', 'passing'] as const) {
      const r = applyResult(t, s, status)
      s = r.streaks
      seen.push(r.report)
    }
    expect(seen).toEqual([undefined, 'passing', 'warning', 'warning', 'critical', undefined, 'passing'])
    expect(applyResult({successBeforePassing: 0, failuresBeforeWarning: 0, failuresBeforeCritical: 0}, initialStreaks, 'critical').report).toBe('critical')
  })
})

describe('HTTP check', () => {
  it('maps 2xx/429/other to passing/warning/critical with Consul output', async () => {
    const {state, url} = await target()
    const h = run(def({HTTP: url, Interval: '10s', Timeout: '1s'}))
    expect(h.results).toHaveLength(0)
    expect(await tick(h, 1)).toEqual({status: 'passing', output: `HTTP GET ${url}: 200 OK Output: ok`})
    state.code = 429
    expect((await tick(h, 2)).status).toBe('warning')
    state.code = 503
    state.body = 'down'
    expect(await tick(h, 3)).toEqual({status: 'critical', output: `HTTP GET ${url}: 503 Service Unavailable Output: down`})
  })

  it('sends method, headers and body, and caps the output', async () => {
    let seen: {method?: string; ua?: string; x?: string; body: string} = {body: ''}
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        seen = {method: req.method, ua: req.headers['user-agent'], x: req.headers['x-token'] as string, body}
        res.end('x'.repeat(10_000))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const h = run(def({HTTP: url, Method: 'POST', Header: {'X-Token': ['abc']}, Body: '{"a":1}', Interval: '5s', OutputMaxSize: 100}))
    const r = await tick(h, 1)
    expect(seen).toEqual({method: 'POST', ua: 'Consul Health Check', x: 'abc', body: '{"a":1}'})
    expect(r.output).toBe(`HTTP POST ${url}: 200 OK Output: ${'x'.repeat(100)}`)
  })

  it('applies success_before_passing when the target recovers', async () => {
    const {state, url} = await target()
    const h = run(def({HTTP: url, Interval: '1s', SuccessBeforePassing: 2, FailuresBeforeCritical: 1}))
    state.code = 500
    expect((await tick(h, 1)).status).toBe('critical')
    state.code = 200
    h.env.advanceToNext()
    // The first success is held back (the runner says so in its log); only then is the
    // next pending timer the next probe rather than this probe's timeout.
    await until(() => h.env.logs.some((l) => l.msg === 'Check passed but has not reached success threshold'))
    await until(() => h.env.pendingTimers() >= 1)
    expect(state.requests).toBe(2)
    expect(h.results).toHaveLength(1)
    expect((await tick(h, 2)).status).toBe('passing')
  })

  it('reports connection failures with the Go-style error', async () => {
    const free = net.createServer()
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r))
    const port = (free.address() as AddressInfo).port
    await new Promise<void>((r) => free.close(() => r()))
    const h = run(def({HTTP: `http://127.0.0.1:${port}/`, Interval: '1s'}))
    const r = await tick(h, 1)
    expect(r.status).toBe('critical')
    expect(r.output).toBe(`Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused`)
  })

  it('keeps at most one request pending against a hung endpoint', async () => {
    const {state, url} = await target()
    state.hang = true
    const h = run(def({HTTP: url, Interval: '1s', Timeout: '500ms'}))
    for (let i = 1; i <= 4; i++) {
      h.env.advanceToNext()
      await until(() => state.requests >= i)
      h.env.advanceToNext()
      expect(h.results[i - 1]).toMatchObject({status: 'critical'})
      expect(h.results[i - 1].output).toMatch(/context deadline exceeded/)
      // The timeout aborted the request: the target sees it go away.
      await until(() => state.inflight === 0)
      await new Promise((r) => setImmediate(r))
    }
    expect(state.maxInflight).toBe(1)
    expect(state.requests).toBe(4)
  })

  it('never starts a second probe while one that ignores its abort is pending', () => {
    const env = createFakeEnv(3)
    const results: CheckStatus[] = []
    let calls = 0
    const probers = {...createNodeProbers(), http: () => ((calls++), new Promise<never>(() => {}))}
    const runner = createCheckRunner(def({HTTP: 'http://127.0.0.1:9/', Interval: '1s', Timeout: '100ms'}), {env, log: env.log, notify: (_i, s) => void results.push(s), probers, nodeName: 'n'})
    runner.start()
    env.advance(10_000)
    runner.stop()
    expect(calls).toBe(1)
    expect(results.length).toBeGreaterThanOrEqual(9)
    expect(new Set(results)).toEqual(new Set(['critical']))
    expect(env.pendingTimers()).toBe(0)
  })
})

describe('TCP check', () => {
  it('passes while the port accepts and fails once it is closed', async () => {
    const server = net.createServer((s) => s.destroy())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`
    const h = run(def({TCP: addr, Interval: '2s'}))
    expect(await tick(h, 1)).toEqual({status: 'passing', output: `TCP connect ${addr}: Success`})
    await new Promise<void>((r) => server.close(() => r()))
    expect(await tick(h, 2)).toEqual({status: 'critical', output: `dial tcp ${addr}: connect: connection refused`})
  })
})

describe('script check', () => {
  const node = process.execPath
  it('maps exit codes 0/1/other and captures output', async () => {
    const ok = run(def({Args: [node, '-e', 'console.log("all good")'], Interval: '1s'}))
    expect(await tick(ok, 1)).toEqual({status: 'passing', output: 'all good\n'})
    const warn = run(def({Args: [node, '-e', 'console.error("meh"); process.exit(1)'], Interval: '1s'}))
    expect(await tick(warn, 1)).toEqual({status: 'warning', output: 'meh\n'})
    const bad = run(def({Args: [node, '-e', 'process.exit(3)'], Interval: '1s'}))
    expect((await tick(bad, 1)).status).toBe('critical')
  })

  it('kills a script that outlives its timeout', async () => {
    const h = run(def({Args: [node, '-e', 'setTimeout(() => {}, 60000)'], Interval: '1s', Timeout: '200ms'}))
    expect(await tick(h, 1)).toEqual({status: 'critical', output: 'Timed out (200ms) running check'})
  })

  it('reports a missing executable as critical', async () => {
    const h = run(def({Args: ['/nonexistent/check'], Interval: '1s'}))
    const r = await tick(h, 1)
    expect(r.status).toBe('critical')
    expect(r.output).toMatch(/Check failed to invoke: .*ENOENT/)
  })
})

describe('TTL check', () => {
  it('expires to critical unless refreshed, keeping the last output', () => {
    const h = run(def({TTL: '30s'}))
    const ttl = h.runner as TtlRunner
    h.env.advance(29_000)
    expect(h.results).toHaveLength(0)
    h.env.advance(1000)
    expect(h.results).toEqual([{status: 'critical', output: 'TTL expired'}])
    ttl.setStatus('passing', 'fine')
    h.env.advance(29_000)
    ttl.setStatus('warning', 'slow')
    h.env.advance(29_000)
    expect(h.results.slice(1)).toEqual([{status: 'passing', output: 'fine'}, {status: 'warning', output: 'slow'}])
    h.env.advance(1000)
    expect(h.results[3]).toEqual({status: 'critical', output: 'TTL expired (last output before timeout follows): slow'})
  })

  it('truncates long notes to OutputMaxSize', () => {
    const h = run(def({TTL: '30s', OutputMaxSize: 4}))
    expect((h.runner as TtlRunner).setStatus('passing', 'abcdefgh')).toBe('abcd ... (captured 4 of 8 bytes)')
  })
})

describe('alias check', () => {
  it('follows the worst status of the aliased service and the node', () => {
    const checks = [
      {Node: 'node1', CheckID: 'serfHealth', Name: 'Serf', Status: 'passing', Output: '', ServiceID: ''},
      {Node: 'node1', CheckID: 'service:web', Name: 'web check', Status: 'passing', Output: 'ok', ServiceID: 'web'},
      {Node: 'node1', CheckID: 'service:db', Name: 'db check', Status: 'critical', Output: 'down', ServiceID: 'db'},
    ]
    let wake: (() => void) | undefined
    const source: AliasSource = {checks: () => checks, watch: (_n, cb) => ((wake = cb), () => (wake = undefined))}
    const h = run(def({AliasService: 'web'}), source)
    h.env.flush()
    expect(h.results).toEqual([{status: 'passing', output: 'All checks passing.'}])
    checks[1].Status = 'warning'
    checks[1].Output = 'slow'
    wake!()
    h.env.flush()
    expect(h.results[1]).toEqual({status: 'warning', output: 'Aliased check "web check" failing: slow'})
    checks.splice(1, 1)
    wake!()
    h.env.flush()
    expect(h.results[2]).toEqual({status: 'critical', output: 'Service web could not be found on node node1'})
  })

  it('a critical node check listed before the service’s own does not make the service look missing', () => {
    const checks = [
      {Node: 'node1', CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'critical', Output: 'Agent not live or unreachable', ServiceID: ''},
      {Node: 'node1', CheckID: 'service:web', Name: 'web check', Status: 'passing', Output: 'ok', ServiceID: 'web'},
    ]
    const h = run(def({AliasService: 'web'}), {checks: () => checks, watch: () => () => {}})
    h.env.flush()
    expect(h.results).toEqual([{status: 'critical', output: 'Aliased check "Serf Health Status" failing: Agent not live or unreachable'}])
  })

  it('a service that exists but has no checks is not "could not be found" (Consul looks it up in the catalog)', async () => {
    const nodeCheck = {Node: 'other', CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: '', ServiceID: ''}
    const services: Record<string, string[]> = {other: ['web']}
    const env = createFakeEnv(5)
    const remote = new RemoteAliasChecks(
      async (req) => (req.MinQueryIndex === 0 ? {index: 3, checks: [nodeCheck]} : new Promise(() => {})),
      env.timers,
      env.log,
      async (req) => services[req.Node] ?? [],
    )
    cleanups.push(() => remote.close())
    const results: {status: string; output: string}[] = []
    const source: AliasSource = {checks: (n) => remote.checks(n), error: (n) => remote.error(n), watch: (n, cb) => remote.watch(n, cb), serviceExists: (n, id) => remote.serviceExists(n, id)}
    for (const svc of ['web', 'gone']) {
      const runner = createCheckRunner(def({AliasNode: 'other', AliasService: svc}), {env, log: env.log, notify: (_id, status, output) => void results.push({status, output}), probers: createNodeProbers(), nodeName: 'node1', alias: source})
      runner.start()
      cleanups.push(() => runner.stop())
    }
    for (let i = 0; i < 8; i++) {
      await Promise.resolve()
      env.flush()
    }
    expect(results).toContainEqual({status: 'passing', output: 'All checks passing.'})
    expect(results).toContainEqual({status: 'critical', output: 'Service gone could not be found on node other'})
    expect(results).toHaveLength(2)
  })

  it('on a client agent follows another node through Health.NodeChecks blocking queries: nothing reported before the first answer, critical after a second failure', async () => {
    const calls: {MinQueryIndex: number; AllowStale: boolean; MaxStaleDuration: number; MaxQueryTime: number}[] = []
    const answers: ({index: number; checks: ReturnType<AliasSource['checks']>} | Error)[] = []
    const pending: {resolve(v: unknown): void; reject(e: unknown): void}[] = []
    const query: NodeChecksQuery = (req) => {
      calls.push(req)
      const a = answers.shift()
      if (a instanceof Error) return Promise.reject(a)
      if (a) return Promise.resolve(a as never)
      return new Promise((resolve, reject) => void pending.push({resolve, reject}))
    }
    const env = createFakeEnv(3)
    const remote = new RemoteAliasChecks(query, env.timers, env.log)
    cleanups.push(() => remote.close())
    const source: AliasSource = {checks: (n) => remote.checks(n), error: (n) => remote.error(n), watch: (n, cb) => remote.watch(n, cb)}
    const results: {status: string; output: string}[] = []
    const runner = createCheckRunner(def({AliasNode: 'other', AliasService: 'web'}), {env, log: env.log, notify: (_id, status, output) => void results.push({status, output}), probers: createNodeProbers(), nodeName: 'node1', alias: source})
    runner.start()
    cleanups.push(() => runner.stop())
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve()
        env.flush()
      }
    }
    await settle()
    // The first query is out and unanswered: no status is made up meanwhile.
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({MinQueryIndex: 0, AllowStale: true, MaxStaleDuration: 15_000, MaxQueryTime: 60_000})
    expect(results).toEqual([])
    pending.shift()!.resolve({index: 7, checks: [{Node: 'other', CheckID: 'service:web', Name: 'web check', Status: 'passing', Output: 'ok', ServiceID: 'web'}]})
    await settle()
    expect(results).toEqual([{status: 'passing', output: 'All checks passing.'}])
    // Blocks from the index it saw.
    expect(calls[1]!.MinQueryIndex).toBe(7)
    pending.shift()!.resolve({index: 9, checks: [{Node: 'other', CheckID: 'service:web', Name: 'web check', Status: 'critical', Output: 'down', ServiceID: 'web'}]})
    await settle()
    expect(results.at(-1)).toEqual({status: 'critical', output: 'Aliased check "web check" failing: down'})
    // Failures: the first is tolerated, the second turns the check critical; then backoff.
    answers.push(new Error('No known Consul servers'), new Error('No known Consul servers'), new Error('No known Consul servers'), new Error('No known Consul servers'))
    pending.shift()!.reject(new Error('No known Consul servers'))
    await settle()
    expect(results.at(-1)).toEqual({status: 'critical', output: 'Failure checking aliased node or service: No known Consul servers'})
    const before = calls.length
    env.advance(1_500)
    await settle()
    expect(calls.length).toBeLessThanOrEqual(before + 1) // backing off, not spinning
    // A server answers again: back to the aggregate.
    answers.length = 0
    answers.push({index: 12, checks: [{Node: 'other', CheckID: 'service:web', Name: 'web check', Status: 'passing', Output: 'ok', ServiceID: 'web'}]})
    for (let i = 0; i < 8 && results.at(-1)!.status !== 'passing'; i++) {
      env.advanceToNext()
      await settle()
    }
    expect(results.at(-1)).toEqual({status: 'passing', output: 'All checks passing.'})
  })
})
