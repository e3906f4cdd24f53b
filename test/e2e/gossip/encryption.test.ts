/**
 * Encrypted gossip between servers with data directories on 127.0.0.51–53: a wrong
 * key cannot join, keys rotate across the pool without losing anyone, the keyring
 * file outlives -encrypt, and a crashed agent rejoins from its member snapshot.
 */
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt, runCli} from '../cli/run-cli.js'
import {ALIVE, dc, gossipAddr, members, waitStatus} from './helpers.js'

const K1 = randomBytes(32).toString('base64')
const K2 = randomBytes(32).toString('base64')
const K3 = randomBytes(16).toString('base64')
const agents: RunningAgent[] = []
let p1: RunningAgent, p2: RunningAgent

/** Fixed gossip ports on each agent's own address: a restarted agent comes back where it was, as in production. */
function server(name: string, ip: string, key: string, dataDir?: string, extra: string[] = []): Promise<RunningAgent> {
  return startAgent({node: name, bind: ip, dataDir, serfLanPort: 8301, serfWanPort: 8302, args: [`-encrypt=${key}`, ...extra]})
}

beforeAll(async () => {
  assertBuilt()
  ;[p1, p2] = await Promise.all([server('e-1', '127.0.0.51', K1), server('e-2', '127.0.0.52', K1)])
  agents.push(p1, p2)
  expect((await dc(p2, ['join', await gossipAddr(p1)])).code).toBe(0)
  await waitStatus(p1, 'e-2', ALIVE)
})

afterAll(async () => {
  await Promise.all(agents.map((x) => x.kill()))
  agents.forEach((x) => x.cleanup())
})

interface Pool {WAN: boolean; Keys: Record<string, number>; PrimaryKeys: Record<string, number>; NumNodes: number}
async function keyring(a: RunningAgent): Promise<Pool[]> {
  return (await (await fetch(`${a.url}/v1/operator/keyring`)).json()) as Pool[]
}

describe('gossip encryption', () => {
  it('lists the shared key on both pools with per-pool counts', async () => {
    await waitFor(async () => (await members(p1, true)).filter((m) => m.Status === ALIVE).length === 2)
    const pools = await keyring(p1)
    const lan = pools.find((p) => !p.WAN)!
    const wan = pools.find((p) => p.WAN)!
    expect(lan.Keys).toEqual({[K1]: 2})
    expect(lan.PrimaryKeys).toEqual({[K1]: 2})
    expect(wan.Keys).toEqual({[K1]: 2})
    const out = await dc(p1, ['keyring', '-list'])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain(`==> Gathering installed encryption keys...`)
    expect(out.stdout).toContain(`dc1 (LAN):\n  ${K1} [2/2]`)
  })

  it('keeps out an agent with another key', async () => {
    const wrong = await server('e-x', '127.0.0.53', K2)
    agents.push(wrong)
    const r = await dc(wrong, ['join', await gossipAddr(p1)])
    expect(r.code).toBe(1)
    expect((await members(p1)).some((m) => m.Name === 'e-x')).toBe(false)
    await wrong.kill()
  })

  it('rotates keys (install, use, remove) without losing a member, and persists the keyring', async () => {
    expect((await dc(p1, ['keyring', '-install', K3])).code).toBe(0)
    let lan = (await keyring(p2)).find((p) => !p.WAN)!
    expect(lan.Keys).toEqual({[K1]: 2, [K3]: 2})
    expect((await dc(p2, ['keyring', '-use', K3])).code).toBe(0)
    lan = (await keyring(p1)).find((p) => !p.WAN)!
    expect(lan.PrimaryKeys).toEqual({[K3]: 2})
    const rm = await dc(p1, ['keyring', '-remove', K3])
    expect(rm.code).toBe(1) // the primary cannot be removed
    expect((await dc(p1, ['keyring', '-remove', K1])).code).toBe(0)
    lan = (await keyring(p1)).find((p) => !p.WAN)!
    expect(lan.Keys).toEqual({[K3]: 2})
    expect(JSON.parse(readFileSync(join(p2.dataDir, 'serf', 'local.keyring'), 'utf8'))).toEqual([K3])
    // Still talking, now under K3 only.
    for (const name of ['e-1', 'e-2']) expect((await members(p1)).find((m) => m.Name === name)?.Status).toBe(ALIVE)
  })

  it('after kill -9, a restart with the old -encrypt uses the keyring file and rejoins from its snapshot', async () => {
    await p2.kill()
    const again = await server('e-2', '127.0.0.52', K1, p2.dataDir)
    agents.push(again)
    expect(again.output()).toMatch(/keyring .*local\.keyring exists and does not hold the -encrypt key; using the keyring file/)
    // No -join given: the snapshot under data_dir/serf brings it back.
    await waitStatus(p1, 'e-2', ALIVE, 30_000)
    await waitStatus(again, 'e-1', ALIVE, 30_000)
  })

  it('refuses to start with a key that is not base64 of 16, 24 or 32 bytes', async () => {
    const bad = await runCli(['agent', '-dev', '-encrypt=not-a-key', '-http-port=0', '-dns-port=-1', '-serf-lan-port=0', '-serf-wan-port=0', '-server-port=-1'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe("==> invalid value for encrypt: not base64; generate a key with 'dc keygen'")
    const short = await runCli(['agent', '-dev', `-encrypt=${randomBytes(8).toString('base64')}`, '-http-port=0', '-dns-port=-1', '-serf-lan-port=0', '-serf-wan-port=0', '-server-port=-1'])
    expect(short.code).toBe(1)
    expect(short.stderr).toMatch(/decodes to 8 bytes/)
  })
})
