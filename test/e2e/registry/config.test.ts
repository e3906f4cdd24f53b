import {rmSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {call, checkStatus, configDir} from './helpers.js'

// Services from -config-dir at start and on reload (HTTP and SIGHUP), script checks
// enabled by flag, and API registrations surviving a restart through data_dir.

let agent: RunningAgent
let dataDir = ''
let conf: ReturnType<typeof configDir>
const args = () => ['-config-dir', conf.dir, '-enable-script-checks']
const agentServices = async () => Object.keys((await call(agent, 'GET', '/v1/agent/services')).json).sort()
const catalogServices = async () => Object.keys((await call(agent, 'GET', '/v1/catalog/services')).json).sort()

beforeAll(async () => {
  conf = configDir()
  conf.write('a.json', {service: {name: 'alpha', port: 1000, check: {ttl: '1h', status: 'passing'}}})
  agent = await startAgent({args: args()})
  dataDir = agent.dataDir
}, 40_000)

afterAll(async () => {
  await agent?.stop()
  if (dataDir) rmSync(dataDir, {recursive: true, force: true})
  conf?.cleanup()
})

describe('config-dir services', () => {
  it('registers config-dir services at start, in the agent and the catalog', async () => {
    expect(await agentServices()).toEqual(['alpha'])
    await waitFor(async () => (await catalogServices()).includes('alpha'), 10_000)
    expect(await checkStatus(agent, 'service:alpha')).toBe('passing')
  })

  it('picks up a new file on PUT /v1/agent/reload', async () => {
    conf.write('b.json', {services: [{name: 'beta', port: 2000, tags: ['x']}]})
    expect((await call(agent, 'PUT', '/v1/agent/reload')).status).toBe(200)
    expect(await agentServices()).toEqual(['alpha', 'beta'])
    await waitFor(async () => (await catalogServices()).includes('beta'), 10_000)
  })

  it('drops a removed file on SIGHUP', async () => {
    conf.remove('a.json')
    agent.proc.kill('SIGHUP')
    await waitFor(async () => !(await agentServices()).includes('alpha'), 10_000)
    await waitFor(async () => !(await catalogServices()).includes('alpha'), 10_000)
    expect(await agentServices()).toEqual(['beta'])
  })

  it('keeps the previous registrations when a reloaded file is invalid', async () => {
    conf.write('bad.json', {service: {name: 'broken', port: 'eighty'}})
    try {
      const r = await call(agent, 'PUT', '/v1/agent/reload')
      expect(r.status).toBeGreaterThanOrEqual(400)
      expect(r.text).toMatch(/[Pp]ort/)
      expect(await agentServices()).toEqual(['beta'])
    } finally {
      conf.remove('bad.json')
    }
  })
})

describe('script checks with -enable-script-checks', () => {
  it('runs args without a shell and maps exit codes', async () => {
    const node = process.execPath
    const ok = await call(agent, 'PUT', '/v1/agent/service/register', {Name: 'scripted', Checks: [
      {CheckID: 'script-ok', Args: [node, '-e', 'console.log("fine")'], Interval: '1s'},
      {CheckID: 'script-warn', Args: [node, '-e', 'process.exit(1)'], Interval: '1s'},
    ]})
    expect(ok.status).toBe(200)
    await waitFor(async () => (await checkStatus(agent, 'script-ok')) === 'passing', 15_000)
    await waitFor(async () => (await checkStatus(agent, 'script-warn')) === 'warning', 15_000)
    const out = (await call(agent, 'GET', '/v1/agent/checks')).json['script-ok']
    expect(out).toMatchObject({Type: 'script', Output: 'fine\n', Definition: {ScriptArgs: [node, '-e', 'console.log("fine")']}})
  })
})

describe('persistence under data_dir', () => {
  it('restores API registrations and maintenance after a restart, config ones from config', async () => {
    expect((await call(agent, 'PUT', '/v1/agent/service/register', {Name: 'kept', ID: 'kept-1', Port: 3000, Check: {TTL: '1h'}})).status).toBe(200)
    expect((await call(agent, 'PUT', '/v1/agent/service/maintenance/kept-1?enable=true&reason=upgrade')).status).toBe(200)
    await agent.stop()
    agent = await startAgent({args: args(), dataDir})
    expect(await agentServices()).toEqual(['beta', 'kept-1', 'scripted'])
    const maint = (await call(agent, 'GET', '/v1/agent/checks')).json['_service_maintenance:kept-1']
    expect(maint).toMatchObject({Status: 'critical', Notes: 'upgrade', ServiceID: 'kept-1'})
    await waitFor(async () => (await catalogServices()).includes('kept'), 10_000)
  }, 40_000)
})
