import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {aeStep, initialAe, type AeEvent} from '../../../src/agent/local/core/ae-machine.js'
import {fullSyncDelayMs, scaleFactor} from '../../../src/agent/local/core/scale.js'
import {testRpc} from '../../helpers/endpoints.js'
import {LocalError, createLocalAgent, filePersistence, type LocalAgent, type RegistryConfig} from '../../../src/agent/local/index.js'
import {parseCheckDefinition, parseServiceDefinition} from '../../../src/agent/services/index.js'
import {Fsm, encodeCommand, type Command} from '../../../src/store/fsm/index.js'
import {createFakeEnv, type FakeEnv} from './fake-env.js'

const NODE_ID = '11111111-2222-3333-4444-555555555555'

function baseConfig(over: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    nodeName: 'node1',
    datacenter: 'dc1',
    dataDir: undefined,
    nodeMeta: {},
    services: [],
    checks: [],
    enableScriptChecks: false,
    enableLocalScriptChecks: false,
    checkUpdateIntervalMs: 5 * 60_000,
    discardCheckOutput: false,
    ...over,
  }
}

interface World {
  env: FakeEnv
  fsm: Fsm
  agent: LocalAgent
  writes: Command[]
  online: {value: boolean}
  /** Apply a command directly to the catalog (behind the agent's back). */
  raw(cmd: Command): unknown
  /** Let anti-entropy push current changes and wait for it. */
  settle(): Promise<void>
}

const agents: LocalAgent[] = []
const dirs: string[] = []
afterEach(async () => {
  while (agents.length) await agents.pop()!.stop()
  while (dirs.length) rmSync(dirs.pop()!, {recursive: true, force: true})
})

async function world(config: Partial<RegistryConfig> = {}, opts: {fsm?: Fsm; env?: FakeEnv} = {}): Promise<World> {
  const env = opts.env ?? createFakeEnv(11)
  const fsm = opts.fsm ?? new Fsm()
  let idx = fsm.lastApplied.index
  const writes: Command[] = []
  const online = {value: true}
  const raw = (cmd: Command) => fsm.apply(++idx, 1, encodeCommand(cmd))
  const agent = createLocalAgent({
    config: baseConfig(config),
    env,
    log: env.log,
    nodeId: NODE_ID,
    nodeAddress: '127.0.0.1',
    state: () => fsm.state,
    rpc: testRpc(env, () => fsm.state, async (cmd) => {
      if (!online.value) throw new Error('No cluster leader')
      writes.push(cmd)
      return raw(cmd)
    }),
  })
  agents.push(agent)
  const settle = async () => {
    const p = agent.syncChanges()
    env.flush()
    await p
  }
  await agent.start()
  await settle()
  return {env, fsm, agent, writes, online, raw, settle}
}

const svc = (raw: Record<string, unknown>) => parseServiceDefinition(raw)
const catalogServices = (w: World) => w.fsm.state.nodeServices('node1').value?.Services.map((s) => s.ID) ?? []
const catalogCheck = (w: World, id: string) => w.fsm.state.nodeCheck('node1', id).value

describe('anti-entropy machine', () => {
  it('walks full sync, steady, partial sync and retry as Consul does', () => {
    const run = (events: AeEvent[]) => {
      let m = initialAe
      const trail: string[] = []
      for (const e of events) {
        const r = aeStep(m, e)
        m = r.machine
        trail.push(`${m.state}:${r.actions.join('+')}`)
      }
      return trail
    }
    expect(run(['start', 'changes', 'full-ok', 'partial-done', 'full-timer', 'full-failed', 'changes', 'retry-timer', 'full-ok', 'stop'])).toEqual([
      'full-sync:run-full',
      'full-sync:',
      'partial-sync:arm-full-timer+run-partial',
      'steady:',
      'full-sync:cancel-timers+run-full',
      'retry-wait:arm-retry-timer',
      'retry-wait:',
      'full-sync:cancel-timers+run-full',
      'steady:arm-full-timer',
      'stopped:cancel-timers',
    ])
    expect(run(['start', 'full-ok', 'changes', 'changes', 'full-requested', 'partial-done'])).toEqual([
      'full-sync:run-full',
      'steady:arm-full-timer',
      'partial-sync:run-partial',
      'partial-sync:',
      'partial-sync:',
      'full-sync:cancel-timers+run-full',
    ])
  })

  it('scales the full-sync interval with cluster size', () => {
    expect([1, 128, 129, 256, 257, 512, 1024, 10_000].map(scaleFactor)).toEqual([1, 1, 2, 2, 3, 3, 4, 8])
    expect(fullSyncDelayMs(60_000, 3, 0)).toBe(60_000)
    expect(fullSyncDelayMs(60_000, 3, 0.5)).toBe(90_000)
    expect(fullSyncDelayMs(60_000, 512, 0.5)).toBe(60_000 + 90_000)
  })
})

describe('local agent and anti-entropy', () => {
  it('registers the node, a service and its check in one catalog write', async () => {
    const w = await world()
    expect(w.fsm.state.node('node1').value).toMatchObject({ID: NODE_ID, Address: '127.0.0.1', Meta: {'consul-network-segment': ''}})
    w.writes.length = 0
    w.agent.addService(svc({Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v1'], Check: {TTL: '1h'}}))
    await w.settle()
    expect(w.writes).toHaveLength(1)
    expect(w.writes[0]).toMatchObject({type: 'register', req: {SkipNodeUpdate: true, Service: {ID: 'web-1'}, Check: {CheckID: 'service:web-1', Status: 'critical'}}})
    expect(catalogServices(w)).toEqual(['web-1'])
    expect(catalogCheck(w, 'service:web-1')).toMatchObject({Status: 'critical', ServiceName: 'web', ServiceTags: ['v1'], Type: 'ttl'})
    // Nothing is out of sync any more: a full sync writes nothing.
    w.writes.length = 0
    w.env.advance(200_000)
    await w.settle()
    expect(w.writes).toEqual([])
  })

  it('writes status changes at once and defers output-only changes', async () => {
    const w = await world({checkUpdateIntervalMs: 60_000})
    w.agent.addService(svc({Name: 'web', Check: {TTL: '1h'}}))
    await w.settle()
    w.agent.updateTtl('service:web', 'passing', 'ok 1')
    await w.settle()
    const first = catalogCheck(w, 'service:web')!
    expect(first).toMatchObject({Status: 'passing', Output: 'ok 1'})
    w.writes.length = 0
    w.agent.updateTtl('service:web', 'passing', 'ok 2')
    await w.settle()
    expect(w.writes).toEqual([])
    expect(catalogCheck(w, 'service:web')!.ModifyIndex).toBe(first.ModifyIndex)
    expect(w.agent.checks()[0].Output).toBe('ok 2')
    // Written back within half to one and a half check_update_interval.
    w.env.advance(90_000)
    await w.settle()
    expect(catalogCheck(w, 'service:web')).toMatchObject({Status: 'passing', Output: 'ok 2'})
    w.agent.updateTtl('service:web', 'warning', 'slow')
    await w.settle()
    expect(catalogCheck(w, 'service:web')).toMatchObject({Status: 'warning', Output: 'slow'})
  })

  it('repairs a catalog entry deleted behind its back and removes entries it does not own', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', Check: {TTL: '30s'}}))
    await w.settle()
    w.raw({type: 'deregister', req: {Node: 'node1', ServiceID: 'web'}})
    w.raw({type: 'register', req: {Node: 'node1', Address: '127.0.0.1', SkipNodeUpdate: true, Service: {Service: 'rogue', Port: 1}}})
    w.raw({type: 'register', req: {Node: 'node1', Address: '127.0.0.1', SkipNodeUpdate: true, Check: {CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing'}}})
    w.raw({type: 'register', req: {Node: 'node1', Address: '127.0.0.1', SkipNodeUpdate: true, Check: {CheckID: 'stray', Name: 'stray'}}})
    expect(catalogServices(w)).toEqual(['rogue'])
    w.env.advance(120_000) // full sync: 1m + stagger below 1m for one node
    await w.settle()
    expect(catalogServices(w)).toEqual(['web'])
    expect(catalogCheck(w, 'service:web')).toBeDefined()
    expect(catalogCheck(w, 'stray')).toBeUndefined()
    expect(catalogCheck(w, 'serfHealth')).toMatchObject({Status: 'passing'})
  })

  it('keeps catalog tag edits for services with EnableTagOverride', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', Tags: ['a'], EnableTagOverride: true}))
    w.agent.addService(svc({Name: 'db', Tags: ['a']}))
    await w.settle()
    for (const [name, tags] of [['web', ['b']], ['db', ['b']]] as const) {
      w.raw({type: 'register', req: {Node: 'node1', Address: '127.0.0.1', SkipNodeUpdate: true, Service: {Service: name, Tags: [...tags]}}})
    }
    w.env.advance(120_000)
    await w.settle()
    expect(w.fsm.state.nodeService('node1', 'web').value?.Tags).toEqual(['b'])
    expect(w.agent.service('web')?.Tags).toEqual(['b'])
    expect(w.fsm.state.nodeService('node1', 'db').value?.Tags).toEqual(['a'])
  })

  it('deregisters through tombstones and retries after the servers come back', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', Check: {TTL: '30s'}}))
    await w.settle()
    w.online.value = false
    w.agent.removeService('web')
    await w.settle()
    expect(w.agent.services()).toEqual([])
    expect(catalogServices(w)).toEqual(['web'])
    expect(w.agent.state.services.get('web')?.deleted).toBe(true)
    w.env.advance(120_000) // the full sync fails too
    await w.settle()
    expect(w.agent.syncState).toBe('retry-wait')
    w.online.value = true
    w.env.advance(30_000) // retry: 15s + stagger
    await w.settle()
    expect(catalogServices(w)).toEqual([])
    expect(w.agent.state.services.has('web')).toBe(false)
    expect(() => w.agent.removeService('web')).toThrow(LocalError)
  })

  it('deregisters a service whose check stays critical past deregister_critical_service_after', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', Check: {TTL: '10s', DeregisterCriticalServiceAfter: '10s'}}))
    w.agent.addService(svc({Name: 'db', Check: {TTL: '1h'}}))
    await w.settle()
    expect(w.env.logs.some((l) => /below the minimum/.test(l.msg))).toBe(true)
    w.env.advance(60_000) // critical for 60s: not past the 1m floor yet
    expect(w.agent.service('web')).toBeDefined()
    w.env.advance(30_000) // next reap
    await w.settle()
    expect(w.agent.service('web')).toBeUndefined()
    expect(w.agent.service('db')).toBeDefined()
    expect(catalogServices(w)).toEqual(['db'])
  })

  it('honours a lowered reaper minimum when configured', async () => {
    const w = await world({checkDeregisterIntervalMinMs: 1000, checkReapIntervalMs: 500})
    w.agent.addService(svc({Name: 'web', Check: {TTL: '10s', DeregisterCriticalServiceAfter: '2s'}}))
    await w.settle()
    w.env.advance(2500)
    expect(w.agent.service('web')).toBeUndefined()
  })

  it('refuses bad registrations and keeps the previous one', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', ID: 'web-1', Port: 80}))
    const dup = (() => {
      try {
        w.agent.addService(svc({Name: 'api', ID: 'web-1', Port: 81}))
      } catch (e) {
        return e as LocalError
      }
    })()
    expect(dup).toBeInstanceOf(LocalError)
    expect(dup?.status).toBe(400)
    expect(dup?.message).toMatch(/ID "web-1" is already registered with name "web"/)
    expect(w.agent.service('web-1')?.Port).toBe(80)
    expect(() => w.agent.addService(svc({Name: 's', Check: {Args: ['/bin/true'], Interval: '10s'}}))).toThrow(/Scripts are disabled/)
    expect(w.agent.service('s')).toBeUndefined()
    // Consul: an unknown check is a 404; a known check without a TTL a 500.
    const ttlErr = (id: string) => { try { w.agent.updateTtl(id, 'passing', ''); return undefined } catch (e) { return e as LocalError } }
    expect([ttlErr('nope')?.status, ttlErr('nope')?.message]).toEqual([404, 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.'])
    w.agent.setNodeMaintenance(true, '')
    expect([ttlErr('_node_maintenance')?.status, ttlErr('_node_maintenance')?.message]).toEqual([500, 'CheckID "_node_maintenance" does not have associated TTL'])
    w.agent.setNodeMaintenance(false, '')
    expect(() => w.agent.addCheck({...parseCheckDefinition({Name: 'c', TTL: '5s', ServiceID: 'ghost'})!, id: 'c'})).toThrow(/ServiceID "ghost" does not exist/)
    expect(() => w.agent.setServiceMaintenance('ghost', true, '')).toThrow(/No service registered/)
  })

  it('accepts script checks when enabled, from config with enable_local_script_checks only', async () => {
    const w = await world({enableLocalScriptChecks: true, services: [{name: 'cfg', check: {args: ['/bin/true'], interval: '10s'}}]})
    expect(w.agent.service('cfg')).toBeDefined()
    expect(() => w.agent.addService(svc({Name: 'api', Check: {Args: ['/bin/true'], Interval: '10s'}}))).toThrow(/from remote calls/)
    const open = await world({enableScriptChecks: true})
    open.agent.addService(svc({Name: 'api', Check: {Args: ['/bin/true'], Interval: '10s'}}))
    expect(open.agent.checks().map((c) => c.Type)).toEqual(['script'])
  })

  it('replaces existing checks only when asked', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web', Checks: [{ID: 'a', TTL: '1m'}, {ID: 'b', TTL: '1m'}]}))
    w.agent.updateTtl('a', 'passing', 'fine')
    w.agent.addService(svc({Name: 'web', Checks: [{ID: 'a', TTL: '1m'}]}))
    expect(w.agent.checks().map((c) => c.CheckID)).toEqual(['a', 'b'])
    expect(w.agent.checks()[0].Status).toBe('passing')
    w.agent.addService(svc({Name: 'web', Checks: [{ID: 'a', TTL: '1m'}]}), {replaceExistingChecks: true})
    expect(w.agent.checks().map((c) => c.CheckID)).toEqual(['a'])
  })

  it('puts the node and services into maintenance with critical checks', async () => {
    const w = await world()
    w.agent.addService(svc({Name: 'web'}))
    w.agent.setNodeMaintenance(true, '')
    w.agent.setServiceMaintenance('web', true, 'deploy')
    await w.settle()
    expect(catalogCheck(w, '_node_maintenance')).toMatchObject({Status: 'critical', Name: 'Node Maintenance Mode', Type: 'maintenance', Notes: expect.stringMatching(/no reason was provided/)})
    expect(catalogCheck(w, '_service_maintenance:web')).toMatchObject({Status: 'critical', ServiceID: 'web', Notes: 'deploy', Name: 'Service Maintenance Mode'})
    w.agent.setNodeMaintenance(false, '')
    w.agent.setServiceMaintenance('web', false, '')
    await w.settle()
    expect(catalogCheck(w, '_node_maintenance')).toBeUndefined()
    expect(catalogCheck(w, '_service_maintenance:web')).toBeUndefined()
  })

  it('reloads config services, keeping unchanged checks and API registrations', async () => {
    const w = await world({services: [{name: 'a', check: {ttl: '1m'}}, {name: 'b'}]})
    w.agent.addService(svc({Name: 'api'}))
    w.agent.updateTtl('service:a', 'passing', 'up')
    const reloaded = w.agent.reload(baseConfig({services: [{name: 'a', check: {ttl: '1m'}}, {name: 'c', port: 3}]}))
    w.env.flush()
    await reloaded
    expect(w.agent.services().map((s) => s.ID)).toEqual(['a', 'api', 'c'])
    expect(w.agent.checks()[0]).toMatchObject({CheckID: 'service:a', Status: 'passing'})
    await expect(w.agent.reload(baseConfig({services: [{name: 'x', port: 'bad'}]}))).rejects.toThrow(/Port/)
    expect(w.agent.services().map((s) => s.ID)).toEqual(['a', 'api', 'c'])
    await w.settle()
    expect(catalogServices(w)).toEqual(['a', 'api', 'c'])
  })

  it('persists API registrations under data_dir and restores them at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-local-'))
    dirs.push(dataDir)
    const fsm = new Fsm()
    const w = await world({dataDir, services: [{name: 'cfg'}]}, {fsm})
    w.agent.addService(svc({Name: 'web', ID: 'web-1', Tags: ['v1'], Check: {TTL: '30s'}}))
    w.agent.addCheck({...parseCheckDefinition({Name: 'mem', TTL: '1m'})!, id: 'mem'})
    w.agent.setNodeMaintenance(true, 'disk swap')
    expect(readdirSync(join(dataDir, 'services'))).toHaveLength(1)
    expect(readdirSync(join(dataDir, 'checks'))).toHaveLength(2)
    await w.agent.stop()
    const again = await world({dataDir, services: [{name: 'cfg'}]}, {fsm})
    expect(again.agent.services().map((s) => [s.ID, s.Tags])).toEqual([['cfg', []], ['web-1', ['v1']]])
    expect(again.agent.checks().map((c) => c.CheckID)).toEqual(['_node_maintenance', 'mem', 'service:web-1'])
    again.agent.removeService('web-1')
    expect(readdirSync(join(dataDir, 'services'))).toHaveLength(0)
    expect(filePersistence(dataDir, again.env.log).load().services).toEqual([])
  })
})
