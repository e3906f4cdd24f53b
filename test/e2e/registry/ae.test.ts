import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {call, configDir} from './helpers.js'

// Anti-entropy and the critical-service reaper on a real agent. Their periods are
// lowered through the documented tuning keys (docs/services.md): ae_interval,
// check_reap_interval and check_deregister_interval_min.

let agent: RunningAgent
let conf: ReturnType<typeof configDir>

beforeAll(async () => {
  conf = configDir()
  conf.write('tuning.json', {ae_interval: '1s', check_reap_interval: '200ms', check_deregister_interval_min: '1s'})
  agent = await startAgent({args: ['-config-dir', conf.dir]})
}, 40_000)

afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
  conf?.cleanup()
})

const catalogIds = async () => ((await call(agent, 'GET', '/v1/catalog/node-services/test-node')).json.Services as {ID: string}[]).map((s) => s.ID).sort()

describe('anti-entropy', () => {
  it('restores a service deleted from the catalog behind the agent\'s back', async () => {
    expect((await call(agent, 'PUT', '/v1/agent/service/register', {Name: 'web', ID: 'web-1', Port: 80, Check: {TTL: '1h'}})).status).toBe(200)
    expect(await catalogIds()).toContain('web-1')
    expect((await call(agent, 'PUT', '/v1/catalog/deregister', {Node: 'test-node', ServiceID: 'web-1'})).json).toBe(true)
    expect(await catalogIds()).not.toContain('web-1')
    await waitFor(async () => (await catalogIds()).includes('web-1'), 15_000)
    const checks = (await call(agent, 'GET', '/v1/health/checks/web')).json
    expect(checks.map((c: {CheckID: string}) => c.CheckID)).toEqual(['service:web-1'])
  })

  it('removes a catalog service on its node that the agent does not own', async () => {
    const r = await call(agent, 'PUT', '/v1/catalog/register', {Node: 'test-node', Address: '127.0.0.1', Service: {Service: 'intruder', Port: 1}})
    expect(r.json).toBe(true)
    expect(await catalogIds()).toContain('intruder')
    await waitFor(async () => !(await catalogIds()).includes('intruder'), 15_000)
    expect(await catalogIds()).toContain('consul')
  })
})

describe('deregister_critical_service_after', () => {
  it('deregisters a service whose check stays critical too long', async () => {
    const r = await call(agent, 'PUT', '/v1/agent/service/register', {Name: 'flaky', Check: {TTL: '1h', DeregisterCriticalServiceAfter: '1s'}})
    expect(r.status).toBe(200)
    expect(await catalogIds()).toContain('flaky')
    await waitFor(async () => !(await catalogIds()).includes('flaky'), 15_000)
    expect(Object.keys((await call(agent, 'GET', '/v1/agent/services')).json)).not.toContain('flaky')
  })
})
