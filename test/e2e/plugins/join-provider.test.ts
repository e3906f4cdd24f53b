import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {ALIVE, members} from '../gossip/helpers.js'

// Fixed addresses: a file of peers names them, so every agent has its own loopback IP and
// the same fixed (non-default) gossip port.
const PORT = 18391
const IPS = ['127.0.0.91', '127.0.0.92', '127.0.0.93']

describe('retry_join = ["provider=file path=…"]', () => {
  const agents: RunningAgent[] = []
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()))
  })

  it('three agents form one pool from a file of addresses, a broken provider entry beside it logged and skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-join-e2e-'))
    const peers = join(dir, 'peers.txt')
    // Only the first agent at first; the file is re-read on every attempt.
    writeFileSync(peers, `# dc servers\n${IPS[0]}:${PORT}\n`)
    const conf = join(dir, 'join.json')
    writeFileSync(conf, JSON.stringify({retry_join: [`provider=file path=${join(dir, 'missing.txt')}`, `provider=file path=${peers}`], retry_interval: '1s'}))
    for (const [i, ip] of IPS.entries()) {
      agents.push(await startAgent({dev: true, node: `p${i + 1}`, bind: ip, serfLanPort: PORT, args: ['-config-file', conf]}))
    }
    // p2 and p3 joined p1 through the file; now list everyone, as a deploy tool would.
    writeFileSync(peers, IPS.map((ip) => `${ip}:${PORT}`).join('\n'))
    for (const a of agents) {
      await waitFor(async () => (await members(a)).filter((m) => m.Status === ALIVE).length === 3, 20_000, 100)
    }
    expect((await members(agents[2])).map((m) => `${m.Name} ${m.Addr}:${m.Port}`).sort()).toEqual(['p1 127.0.0.91:18391', 'p2 127.0.0.92:18391', 'p3 127.0.0.93:18391'])
    expect(agents[1].output()).toMatch(/join provider skipped: join provider "file": cannot read \S*missing\.txt: ENOENT/)
    expect(agents[1].output()).toMatch(/Join LAN completed/)
  })
})
