import {createServer} from 'node:net'
import {beforeAll, describe, expect, it} from 'vitest'
import {assertBuilt, runCli} from './run-cli.js'

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as {port: number}).port
  await new Promise((r) => srv.close(r))
  return port
}

beforeAll(assertBuilt)

describe('dc CLI without an agent', () => {
  it('keygen prints 32 random bytes as 44-char base64, different each run', async () => {
    const [a, b] = await Promise.all([runCli(['keygen']), runCli(['keygen'])])
    for (const r of [a, b]) {
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const key = r.stdout.trim()
      expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/)
      expect(Buffer.from(key, 'base64')).toHaveLength(32)
    }
    expect(a.stdout).not.toBe(b.stdout)
  })

  it('version prints Consul-like lines; -format=json and --json print the document', async () => {
    const [text, json1, json2] = await Promise.all([runCli(['version']), runCli(['version', '-format=json']), runCli(['version', '--json'])])
    expect(text.code).toBe(0)
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^dc v\d+\.\d+\.\d+/)
    expect(lines.some((l) => /^Build Date \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l))).toBe(true)
    expect(lines.at(-1)).toBe('Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)')
    const doc = JSON.parse(json1.stdout)
    expect(`dc v${doc.Version}`).toBe(lines[0])
    expect(doc.RPC).toEqual({Default: 2, Min: 2, Max: 3})
    expect(JSON.parse(json2.stdout)).toEqual(doc)
  })

  it('an unknown flag fails with one Error! line and a non-zero exit', async () => {
    const r = await runCli(['members', '-no-such-flag'])
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n')[0]).toMatch(/^Error! Nonexistent flag: -no-such-flag/)
  })

  it('a closed loopback port gives one Error! line with a hint, exit 1', async () => {
    const port = await closedPort()
    for (const args of [['members', `-http-addr=127.0.0.1:${port}`], ['kv', 'get', '-http-addr', `http://127.0.0.1:${port}`, 'a']]) {
      const r = await runCli(args)
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(new RegExp(`^Error! .*127\\.0\\.0\\.1:${port}.*connection refused$`))
      expect(lines[1]).toBe('Hint: Is the agent running? Check -http-addr / CONSUL_HTTP_ADDR')
    }
  })

  it('CONSUL_HTTP_ADDR / DC_HTTP_ADDR are honoured when no flag is given', async () => {
    const port = await closedPort()
    const [a, b] = await Promise.all([
      runCli(['info'], {env: {CONSUL_HTTP_ADDR: `127.0.0.1:${port}`}}),
      runCli(['info'], {env: {DC_HTTP_ADDR: `127.0.0.1:${port}`}}),
    ])
    for (const r of [a, b]) {
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`127.0.0.1:${port}`)
    }
  })

  it('argument errors use the Error! path: kv get without a key, kv put -cas without -modify-index', async () => {
    const [get, put] = await Promise.all([runCli(['kv', 'get']), runCli(['kv', 'put', '-cas', 'k', 'v'])])
    expect(get.code).toBe(1)
    expect(get.stderr).toBe('Error! Missing KEY argument\n')
    expect(put.code).toBe(1)
    expect(put.stderr).toBe('Error! Must specify -modify-index with -cas!\n')
  })

  it('-h / -help show help with an example', async () => {
    const [h, help] = await Promise.all([runCli(['kv', 'put', '-h']), runCli(['members', '-help'])])
    expect(h.code).toBe(0)
    expect(h.stdout).toMatch(/EXAMPLES[\s\S]*dc kv put config\/redis\/maxconns 5/)
    expect(help.stdout).toMatch(/EXAMPLES[\s\S]*dc members/)
  })
})
