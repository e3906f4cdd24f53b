import {describe, expect, it} from 'vitest'
import {createCheckRunner, createNodeProbers, isTtlRunner, type CheckStatus} from '../../../src/agent/checks/index.js'
import {builtinPlugin} from '../../../src/agent/plugins/builtin.js'
import {PluginRegistry} from '../../../src/agent/plugins/registry.js'
import {parseCheckDefinition, type CheckDefinition} from '../../../src/agent/services/index.js'
import type {CheckType, PluginCheck} from '../../../src/plugin.js'
import {createFakeEnv, type FakeEnv} from '../registry/fake-env.js'

/** Lets promise callbacks (a check's result, a rejection) run; virtual time does not move. */
const settle = () => new Promise<void>((r) => setImmediate(r))

function harness(create: (calls: {n: number}) => PluginCheck | unknown) {
  const env = createFakeEnv(3)
  const registry = new PluginRegistry()
  const penv = {nowMs: () => env.clock.nowMs(), wallMs: () => env.clock.wallMs(), after: env.timers.after, log: env.log, nodeName: 'n1', datacenter: 'dc1'}
  registry.addSync('builtin', builtinPlugin, penv)
  const calls = {n: 0}
  const type: CheckType = {name: 'odd', create: () => create(calls) as PluginCheck}
  registry.addSync('odd-plugin', {apiVersion: 1, register: (api) => api.checkType(type)}, penv)
  const results = new Map<string, {status: CheckStatus; output: string}[]>()
  const start = (id: string, raw: Record<string, unknown>) => {
    const def: CheckDefinition = {...parseCheckDefinition({Name: id, ...raw})!, id}
    const r = createCheckRunner(def, {env, log: env.log, probers: createNodeProbers(), nodeName: 'n1', types: registry,
      notify: (cid, status, output) => void (results.get(cid) ?? results.set(cid, []).get(cid)!).push({status, output})})
    r.start()
    return r
  }
  const last = (id: string) => results.get(id)?.at(-1)
  return {env, calls, start, results, last}
}

/** Runs every probe due within ms of virtual time, letting each settle. */
async function run(env: FakeEnv, ms: number, step = 100) {
  for (let t = 0; t < ms; t += step) {
    env.advance(step)
    await settle()
  }
}

describe('plugin checks are contained', () => {
  it('a check that throws synchronously is critical with the error as output', async () => {
    const h = harness(() => ({check: () => {
      throw new Error('redis: connection refused')
    }}))
    h.start('c', {Type: 'odd', Interval: '1s'})
    await run(h.env, 1100)
    expect(h.last('c')).toEqual({status: 'critical', output: 'redis: connection refused'})
  })

  it('a check that rejects with a non-Error is critical with it as output', async () => {
    const h = harness(() => ({check: () => Promise.reject('plain string')}))
    h.start('c', {Type: 'odd', Interval: '1s'})
    await run(h.env, 1100)
    expect(h.last('c')).toEqual({status: 'critical', output: 'plain string'})
  })

  it.each([
    [42, /got 42/],
    [{status: 'ok', output: 'x'}, /got \{"status":"ok","output":"x"\}/],
    [{status: 'passing', output: 7}, /invalid result/],
    [undefined, /got undefined/],
  ])('a check returning garbage (%j) is critical, naming the plugin', async (garbage, message) => {
    const h = harness(() => ({check: async () => garbage}))
    h.start('c', {Type: 'odd', Interval: '1s'})
    await run(h.env, 1100)
    expect(h.last('c')?.status).toBe('critical')
    expect(h.last('c')?.output).toMatch(/check returned an invalid result \(plugin "odd-plugin"\)/)
    expect(h.last('c')?.output).toMatch(message)
  })

  it('a check that hangs is critical at its timeout, is never run twice at once, and others keep their schedule', async () => {
    const signals: AbortSignal[] = []
    const h = harness((calls) => ({
      check: (signal: AbortSignal) => {
        calls.n++
        signals.push(signal)
        return new Promise(() => {}) // never settles, ignores the signal
      },
    }))
    h.start('hang', {Type: 'odd', Interval: '1s', Timeout: '500ms'})
    h.start('ttl', {TTL: '3s'})
    await run(h.env, 1600)
    expect(h.last('hang')).toEqual({status: 'critical', output: 'odd check timed out after 500ms (plugin "odd-plugin")'})
    expect(signals[0].aborted).toBe(true)
    await run(h.env, 3000)
    // Still critical on every interval, and the hung call is not stacked with new ones.
    expect(h.results.get('hang')!.length).toBeGreaterThanOrEqual(3)
    expect(h.calls.n).toBe(1)
    // The TTL check beside it expired on time (3 s): the hang blocked nothing.
    expect(h.last('ttl')).toEqual({status: 'critical', output: 'TTL expired'})
  })

  it('a type whose create() throws or returns nonsense gives a critical check, not a crash', async () => {
    const h1 = harness(() => {
      throw new TypeError('config.host is undefined')
    })
    h1.start('c', {Type: 'odd', Interval: '1s'})
    expect(h1.last('c')).toEqual({status: 'critical', output: 'odd check could not be created (plugin "odd-plugin"): config.host is undefined'})
    const h2 = harness(() => ({nothing: true}))
    h2.start('c', {Type: 'odd', Interval: '1s'})
    expect(h2.last('c')?.output).toMatch(/returned neither \{check\(\)\} nor \{start\(\), stop\(\)\}/)
  })

  it('a watched check that reports garbage or throws in start() is critical', async () => {
    let report: ((r: unknown) => void) | undefined
    const h = harness(() => ({start: (r: (x: unknown) => void) => void (report = r), stop: () => {}}))
    h.start('w', {Type: 'odd'})
    report!({status: 'passing', output: 'fine'})
    expect(h.last('w')).toEqual({status: 'passing', output: 'fine'})
    report!('garbage')
    expect(h.last('w')?.status).toBe('critical')
    const h2 = harness(() => ({start: () => {
      throw new Error('no socket')
    }, stop: () => {}}))
    h2.start('w', {Type: 'odd'})
    expect(h2.last('w')).toEqual({status: 'critical', output: 'check failed to start (plugin "odd-plugin"): no socket'})
  })

  it('applies thresholds and caps output for plugin checks, as for built-in ones', async () => {
    let status: CheckStatus = 'critical'
    const h = harness(() => ({check: () => ({status, output: 'x'.repeat(100)})}))
    h.start('c', {Type: 'odd', Interval: '1s', FailuresBeforeCritical: 2, OutputMaxSize: 10})
    await run(h.env, 1100)
    expect(h.results.get('c')).toBeUndefined()
    await run(h.env, 1000)
    expect(h.last('c')).toEqual({status: 'critical', output: 'xxxxxxxxxx ... (captured 10 of 100 bytes)'})
    status = 'passing'
    await run(h.env, 1000)
    expect(h.last('c')?.status).toBe('passing')
  })

  it('only TTL-like watched checks take statuses from the API', () => {
    const h = harness(() => ({start: () => {}, stop: () => {}}))
    expect(isTtlRunner(h.start('w', {Type: 'odd'}))).toBe(false)
    expect(isTtlRunner(h.start('t', {TTL: '5s'}))).toBe(true)
  })
})

describe('registration of plugin-typed checks (local agent)', () => {
  async function agentWith(type: CheckType) {
    const {createLocalAgent, LocalError} = await import('../../../src/agent/local/index.js')
    const env = createFakeEnv(5)
    const penv = {nowMs: () => 0, wallMs: () => 0, after: env.timers.after, log: env.log, nodeName: 'n1', datacenter: 'dc1'}
    const registry = new PluginRegistry()
    registry.addSync('builtin', builtinPlugin, penv)
    registry.addSync('p', {apiVersion: 1, register: (api) => api.checkType(type)}, penv)
    const agent = createLocalAgent({
      config: {nodeName: 'n1', datacenter: 'dc1', dataDir: undefined, nodeMeta: {}, services: [], checks: [], enableScriptChecks: false, enableLocalScriptChecks: false, checkUpdateIntervalMs: 300_000, discardCheckOutput: false},
      env, log: env.log, nodeId: '11111111-2222-3333-4444-555555555555', nodeAddress: '127.0.0.1', types: registry,
      // Registration is refused or accepted locally, before any catalog call.
      rpc: () => Promise.reject(new Error('no catalog in this test')),
    })
    const refusal = (raw: Record<string, unknown>) => {
      try {
        agent.addCheck(parseCheckDefinition({Name: 'c', ...raw})!)
      } catch (e) {
        if (e instanceof LocalError) return `${e.status} ${e.message}`
        throw e
      }
      return 'accepted'
    }
    return {agent, refusal}
  }

  it('needs an interval for polled types, none for watched ones, and runs the type\'s validate', async () => {
    const {refusal} = await agentWith({name: 'pg', validate: (d) => {
      if (!d.args.dsn) throw new Error('dsn is required')
    }, create: () => ({check: () => ({status: 'passing', output: ''})})})
    expect(refusal({Type: 'pg', DSN: 'postgres://x'})).toBe('400 Invalid check: Interval must be > 0 for pg checks')
    expect(refusal({Type: 'pg', Interval: '5s'})).toBe('400 Invalid check: pg: dsn is required')
    expect(refusal({Type: 'pg', DSN: 'postgres://x', Interval: '5s'})).toBe('accepted')
    const watched = await agentWith({name: 'inotify', interval: 'none', create: () => ({start: () => {}, stop: () => {}})})
    expect(watched.refusal({Type: 'inotify', Path: '/x'})).toBe('accepted')
  })
})
