import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, RUN_JS, startAgent, waitFor} from '../helpers/agent.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'dc-proc-'))

function runAgentExpectingFailure(args: string[]) {
  return spawnSync(process.execPath, [RUN_JS, 'agent', '-http-port=0', '-dns-port=-1', ...args], {cwd: ROOT, encoding: 'utf8', timeout: 30_000})
}

describe('agent process', () => {
  it('warns once per unimplemented Consul key, writes the pid file, logs JSON, and exits 0 on SIGTERM', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'consul.json'), JSON.stringify({acl: {enabled: true}, telemetry: {disable_hostname: true}, primary_datacenter: 'dc1', connect: {enabled: true}, datacenter: 'dc1'}))
    const pidFile = join(dir, 'agent.pid')
    const a = await startAgent({args: [`-config-dir=${dir}`, `-pid-file=${pidFile}`, '-log-json']})
    const lines = a.output().split('\n').filter((l) => l.startsWith('{'))
    expect(lines.length).toBeGreaterThan(3)
    const parsed = lines.map((l) => JSON.parse(l))
    expect(parsed.every((p) => typeof p['@message'] === 'string' && typeof p['@level'] === 'string')).toBe(true)
    for (const key of ['acl', 'telemetry', 'primary_datacenter', 'connect']) {
      expect(parsed.filter((p) => p['@level'] === 'warn' && p['@message'].includes(`"${key}"`))).toHaveLength(1)
    }
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(a.proc.pid)
    expect(await a.stop()).toBe(0)
    expect(existsSync(pidFile)).toBe(false)
    a.cleanup()
  })

  it('Go-style (-data-dir=x) and GNU-style (--datacenter east) flags both work; the banner names datacenter and data dir', async () => {
    const dataDir = tmp()
    const a = await startAgent({dataDir, args: ['--datacenter', 'east', '-node-meta', 'rack:r1']})
    expect(a.output()).toContain(`Data Dir: '${dataDir}'`)
    expect(a.output()).toContain("Datacenter: 'east'")
    const self = await (await fetch(`${a.url}/v1/agent/self`)).json() as {Config: {Datacenter: string}; Meta: Record<string, string>}
    expect(self.Config.Datacenter).toBe('east')
    expect(self.Meta).toEqual({rack: 'r1'})
    await a.stop()
  })

  it('refuses a malformed config file, a wrong type and an unknown key, naming file, key and reason', () => {
    const dir = tmp()
    const file = join(dir, 'bad.json')
    writeFileSync(file, '{"server": true,')
    let r = runAgentExpectingFailure(['-dev', `-config-file=${file}`])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(file)
    writeFileSync(file, JSON.stringify({ports: {http: 'eighty'}}))
    r = runAgentExpectingFailure(['-dev', `-config-file=${file}`])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/bad\.json: invalid value for ports\.http: expected an integer/)
    writeFileSync(file, JSON.stringify({datacentre: 'dc1'}))
    r = runAgentExpectingFailure(['-dev', `-config-file=${file}`])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/invalid config key datacentre/)
    r = runAgentExpectingFailure(['-server'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/data_dir/)
  })

  it('a port already in use stops start-up with a message that says what to do', async () => {
    const a = await startAgent({})
    const port = a.httpAddr.split(':')[1]
    const r = spawnSync(process.execPath, [RUN_JS, 'agent', '-dev', `-http-port=${port}`, '-dns-port=-1'], {cwd: ROOT, encoding: 'utf8', timeout: 30_000})
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`HTTP address 127.0.0.1:${port} is already in use`)
    expect(r.stderr).toContain('-http-port')
    expect((await fetch(`${a.url}/v1/status/leader`)).status).toBe(200)
    await a.stop()
    a.cleanup()
  })

  it('a server waiting for peers (-bootstrap-expect=3) is ready and says why writes fail', async () => {
    const a = await startAgent({bootstrap: false, args: ['-bootstrap-expect=3']})
    expect(a.output()).toMatch(/no cluster leader yet/)
    // Held for rpc_hold_timeout (7 s) in case a leader appears, then Consul's answer.
    const put = await fetch(`${a.url}/v1/kv/x`, {method: 'PUT', body: '1'})
    expect(put.status).toBe(500)
    expect(await put.text()).toBe('No cluster leader')
    expect(await (await fetch(`${a.url}/v1/status/leader`)).json()).toBe('')
    // A server that never heard from a leader does not serve ?stale either (Consul's canServeReadRequest).
    const stale = await fetch(`${a.url}/v1/kv/x?stale`)
    expect([stale.status, await stale.text()]).toEqual([500, 'No cluster leader'])
    await a.stop()
    a.cleanup()
  }, 60_000)

  it('PUT /v1/agent/leave stops the agent gracefully', async () => {
    const a = await startAgent({})
    const exited = new Promise<number | null>((res) => a.proc.on('exit', (c) => res(c)))
    expect((await fetch(`${a.url}/v1/agent/leave`, {method: 'PUT'})).status).toBe(200)
    expect(await exited).toBe(0)
    await waitFor(() => a.proc.exitCode !== null)
    a.cleanup()
  })
})
