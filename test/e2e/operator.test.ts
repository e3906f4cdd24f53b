/**
 * The operator surface of one real `dc agent -server -bootstrap` process: Raft
 * configuration, peer removal and leadership transfer refusals, autopilot configuration
 * with CAS, health and state, over HTTP and through the CLI; and raft/peers.json outage
 * recovery across a restart. Loopback 127.0.0.131–132, server port 8300 there.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {startAgent, waitFor} from '../helpers/agent.js'
import {assertBuilt, runCli} from './cli/run-cli.js'

interface RaftConf {Servers: {ID: string; Node: string; Address: string; Leader: boolean; Voter: boolean; ProtocolVersion: string}[]; Index: number}

describe('operator raft and autopilot on a single server', () => {
  it('reports itself as the only voter, refuses to remove it, and CASes the autopilot configuration', async () => {
    assertBuilt()
    const a = await startAgent({bind: '127.0.0.131', serverPort: 8300, node: 'op-1'})
    const dc = (...args: string[]) => runCli([...args, `-http-addr=${a.httpAddr}`])
    try {
      // Autopilot's first round writes the configuration and computes health.
      const health = await waitFor(async () => {
        const r = await fetch(`${a.url}/v1/operator/autopilot/health`)
        return r.status === 200 ? (await r.json()) as {Healthy: boolean; FailureTolerance: number; Servers: Record<string, unknown>[]} : undefined
      })
      const conf = await (await fetch(`${a.url}/v1/operator/raft/configuration`)).json() as RaftConf
      expect(conf.Servers).toHaveLength(1)
      const self = conf.Servers[0]!
      expect(self).toMatchObject({Node: 'op-1', Address: '127.0.0.131:8300', Leader: true, Voter: true, ProtocolVersion: '3'})
      expect(health).toMatchObject({Healthy: true, FailureTolerance: 0})
      expect(health.Servers[0]).toMatchObject({ID: self.ID, Name: 'op-1', Address: '127.0.0.131:8300', SerfStatus: 'alive', Leader: true, Voter: true, Healthy: true, LastContact: '0s'})
      expect(String(health.Servers[0]!.StableSince)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

      const peers = await dc('operator', 'raft', 'list-peers')
      expect(peers.code).toBe(0)
      const [header, row] = peers.stdout.trimEnd().split('\n')
      expect(header!.split(/\s{2,}/)).toEqual(['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By'])
      expect(row!.split(/\s+/)).toEqual(['op-1', self.ID, '127.0.0.131:8300', 'leader', 'true', '3', expect.stringMatching(/^\d+$/), '_'])
      const stale = await dc('operator', 'raft', 'list-peers', '-stale', '-format=json')
      expect(JSON.parse(stale.stdout)).toMatchObject({Servers: [{ID: self.ID, Leader: true}]})

      // Bad input: 4xx with Consul's texts, or Raft's refusal.
      const noArg = await fetch(`${a.url}/v1/operator/raft/peer`, {method: 'DELETE'})
      expect(noArg.status).toBe(400)
      expect(await noArg.text()).toBe("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove")
      const both = await fetch(`${a.url}/v1/operator/raft/peer?id=x&address=y`, {method: 'DELETE'})
      expect([both.status, await both.text()]).toEqual([400, 'Must specify only one of ?id or ?address'])
      const last = await dc('operator', 'raft', 'remove-peer', `-id=${self.ID}`)
      expect(last.code).toBe(1)
      expect(last.stderr).toContain('need at least one voter in configuration')
      const unknown = await dc('operator', 'raft', 'remove-peer', '-address=10.1.1.1:8300')
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('address "10.1.1.1:8300" was not found in the Raft configuration')
      const neither = await dc('operator', 'raft', 'remove-peer')
      expect([neither.code, neither.stderr]).toEqual([1, expect.stringContaining('an address or id is required for the peer to remove')])
      const transfer = await dc('operator', 'raft', 'transfer-leader')
      expect(transfer.code).toBe(1)
      expect(transfer.stderr).toContain('cannot find peer')
      expect((await (await fetch(`${a.url}/v1/operator/raft/configuration`)).json() as RaftConf).Servers).toHaveLength(1)

      // Autopilot configuration: Consul's defaults, then CAS.
      const get = await dc('operator', 'autopilot', 'get-config')
      expect(get.stdout).toBe([
        'CleanupDeadServers = true', 'LastContactThreshold = 200ms', 'MaxTrailingLogs = 250', 'MinQuorum = 0',
        'ServerStabilizationTime = 10s', 'RedundancyZoneTag = ""', 'DisableUpgradeMigration = false', 'UpgradeVersionTag = ""', '',
      ].join('\n'))
      const cfg = await (await fetch(`${a.url}/v1/operator/autopilot/configuration`)).json() as {ModifyIndex: number; CreateIndex: number}
      const put = (q: string, body: unknown) => fetch(`${a.url}/v1/operator/autopilot/configuration${q}`, {method: 'PUT', body: JSON.stringify(body)})
      expect(await (await put(`?cas=${cfg.ModifyIndex + 100}`, {MaxTrailingLogs: 1})).json()).toBe(false)
      expect(await (await put(`?cas=${cfg.ModifyIndex}`, {MaxTrailingLogs: 300, LastContactThreshold: '1s'})).json()).toBe(true)
      const after = await (await fetch(`${a.url}/v1/operator/autopilot/configuration`)).json() as Record<string, unknown>
      expect(after).toMatchObject({MaxTrailingLogs: 300, LastContactThreshold: '1s', ServerStabilizationTime: '10s', CleanupDeadServers: true, CreateIndex: cfg.CreateIndex})
      expect(after.ModifyIndex).toBeGreaterThan(cfg.ModifyIndex)
      const badBody = await put('', {LastContactThreshold: 'soon'})
      expect([badBody.status, await badBody.text()]).toEqual([400, 'Error parsing autopilot config: time: invalid duration "soon"'])
      const badCas = await put('?cas=x', {})
      expect(badCas.status).toBe(400)
      const set = await dc('operator', 'autopilot', 'set-config', '-cleanup-dead-servers=false', '-server-stabilization-time=30s')
      expect([set.code, set.stdout]).toEqual([0, 'Configuration updated!\n'])
      const json = JSON.parse((await dc('operator', 'autopilot', 'get-config', '-format=json')).stdout)
      expect(json).toMatchObject({CleanupDeadServers: false, ServerStabilizationTime: '30s', MaxTrailingLogs: 300})

      const state = await dc('operator', 'autopilot', 'state')
      expect(state.code).toBe(0)
      expect(state.stdout).toContain(`Leader:                       ${self.ID}\nVoters:\n   ${self.ID}\nServers:\n   ${self.ID}\n      Name:            op-1\n      Address:         127.0.0.131:8300`)
      expect(JSON.parse((await dc('operator', 'autopilot', 'state', '-format=json')).stdout)).toMatchObject({Leader: self.ID, Voters: [self.ID], Servers: {[self.ID]: {Status: 'leader', NodeStatus: 'alive'}}})

      // `dc info`'s raft section is the node's own stats.
      const info = JSON.parse((await dc('info', '-format=json')).stdout) as {raft: Record<string, string>}
      expect(info.raft).toMatchObject({state: 'Leader', num_peers: '0', last_contact: '0', protocol_version: '3'})
      expect(Number(info.raft.commit_index)).toBeGreaterThan(0)
      expect(Number(info.raft.applied_index)).toBeGreaterThan(0)
      expect(Number(info.raft.term)).toBeGreaterThan(0)
    } finally {
      await a.stop()
      a.cleanup()
    }
  }, 150_000)
})

describe('raft/peers.json outage recovery', () => {
  it('applies peers.json at start, deletes it, keeps the data; a malformed file stops the agent with what to do', async () => {
    assertBuilt()
    const start = (dataDir?: string) => startAgent({bind: '127.0.0.132', serverPort: 8300, node: 'op-2', dataDir})
    let a = await start()
    const dataDir = a.dataDir
    try {
      await waitFor(async () => (await fetch(`${a.url}/v1/kv/keep`, {method: 'PUT', body: 'me'})).ok)
      const before = await (await fetch(`${a.url}/v1/operator/raft/configuration`)).json() as RaftConf
      const id = before.Servers[0]!.ID
      await a.stop()

      const rec = await runCli(['operator', 'raft', 'recover', `-data-dir=${dataDir}`, `-peer=${id}=127.0.0.132:8300`])
      expect(rec.code).toBe(0)
      expect(rec.stdout).toContain(`Wrote ${join(dataDir, 'raft', 'peers.json')}`)
      expect(rec.stdout).toContain(`${id}  127.0.0.132:8300  voter`)
      const bad = await runCli(['operator', 'raft', 'recover', `-data-dir=${dataDir}`, '-peer=nope'])
      expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('invalid peer "nope": expected <node-id>=<ip:port>')])

      a = await start(dataDir)
      expect(a.output()).toContain('RAFT CONFIGURATION RECOVERED')
      expect(existsSync(join(dataDir, 'raft', 'peers.json'))).toBe(false)
      const after = await waitFor(async () => {
        const c = await (await fetch(`${a.url}/v1/operator/raft/configuration`)).json() as RaftConf
        return c.Servers[0]?.Leader ? c : undefined
      })
      expect(after.Servers.map((s) => [s.ID, s.Voter])).toEqual([[id, true]])
      expect(after.Index).toBeGreaterThan(before.Index)
      expect(await (await fetch(`${a.url}/v1/kv/keep?raw`)).text()).toBe('me')
      await a.stop()

      writeFileSync(join(dataDir, 'raft', 'peers.json'), '[{"id": "x", "address": ""}]')
      const refused = await start(dataDir).then(() => 'started', (e: Error) => e.message)
      expect(refused).toContain('recovery failed to parse')
      expect(refused).toContain('empty address in configuration')
      expect(refused).toContain('Fix or delete the file and start again')
      expect(existsSync(join(dataDir, 'raft', 'peers.json'))).toBe(true)
    } finally {
      await a.stop()
      a.cleanup()
      const {rmSync} = await import('node:fs')
      rmSync(dataDir, {recursive: true, force: true})
    }
  }, 90_000)
})
