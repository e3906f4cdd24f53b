/**
 * Interop with HashiCorp's own Serf agent (Debian's `serf`, 0.8.x): the reference
 * implementation of the protocol dc speaks on its gossip port. A Serf agent joins a
 * dc agent and dc joins one; each sees the other's tags, failure and leave; a key
 * installed with `dc keyring` reaches the Serf agent.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {requireTool} from '../../helpers/tools.js'
import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {ALIVE, FAILED, dc, gossipAddr, members, startNode, waitStatus} from './helpers.js'

const missing = requireTool('serf')
const SERF = 'serf'

interface SerfMember {name: string; addr: string; status: string; tags: Record<string, string>}

const KEY = randomBytes(32).toString('base64')
/** The pool's key after the rotation test (a late Serf agent needs it). */
let current = KEY
const procs: ChildProcess[] = []
let agent: RunningAgent

function serfAgent(name: string, ip: string, extra: string[] = []): ChildProcess {
  const p = spawn(SERF, ['agent', `-node=${name}`, `-bind=${ip}:7946`, `-rpc-addr=${ip}:7373`, `-encrypt=${current}`, '-tag', `role=${name}-role`, ...extra], {stdio: ['ignore', 'pipe', 'pipe']})
  p.stdout!.resume()
  p.stderr!.resume()
  procs.push(p)
  return p
}

function serfCli(ip: string, args: string[]): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(SERF, [...args, `-rpc-addr=${ip}:7373`], {encoding: 'utf8', timeout: 10_000})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

function serfMembers(ip: string): SerfMember[] {
  const r = serfCli(ip, ['members', '-format=json'])
  if (r.code !== 0) throw new Error(`serf members: ${r.stderr}`)
  return (JSON.parse(r.stdout) as {members: SerfMember[]}).members
}

function serfSees(ip: string, name: string, status: string, timeoutMs = 25_000): Promise<boolean> {
  return waitFor(() => serfMembers(ip).some((m) => m.name === name && m.status === status), timeoutMs, 200)
}

describe("interop with HashiCorp's serf agent", () => {
  beforeAll(async () => {
    if (missing) return
    assertBuilt()
    serfAgent('serf-1', '127.0.0.61')
    agent = await startNode('dc-1', '127.0.0.62', {args: [`-encrypt=${KEY}`]})
    await waitFor(() => serfCli('127.0.0.61', ['members']).code === 0, 15_000, 100)
  })

  afterAll(async () => {
    if (missing) return
    for (const p of procs) p.kill('SIGKILL')
    await agent?.kill()
    agent?.cleanup()
  })

  it('dc joins a Serf agent; each lists the other alive with its tags', async () => {
    const r = await dc(agent, ['join', '127.0.0.61:7946'])
    expect(r.code).toBe(0)
    await waitStatus(agent, 'serf-1', ALIVE)
    expect((await members(agent)).find((m) => m.Name === 'serf-1')!.Tags).toEqual({role: 'serf-1-role'})
    await serfSees('127.0.0.61', 'dc-1', 'alive')
    const seen = serfMembers('127.0.0.61').find((m) => m.name === 'dc-1')!
    expect(seen.addr).toBe(await gossipAddr(agent))
    expect(seen.tags).toMatchObject({role: 'consul', dc: 'dc1'})
  })

  it('a Serf agent joins dc, and the pool learns of it through dc', async () => {
    serfAgent('serf-2', '127.0.0.63', [`-join=${await gossipAddr(agent)}`])
    await waitStatus(agent, 'serf-2', ALIVE)
    await serfSees('127.0.0.61', 'serf-2', 'alive')
  })

  it('dc keyring -install reaches the Serf agents; -use and -remove rotate the whole pool', async () => {
    const k2 = randomBytes(32).toString('base64')
    expect((await dc(agent, ['keyring', '-install', k2])).code).toBe(0)
    const listed = serfCli('127.0.0.61', ['keys', '-list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(k2)
    expect(listed.stdout).toContain(KEY)
    expect((await dc(agent, ['keyring', '-use', k2])).code).toBe(0)
    expect((await dc(agent, ['keyring', '-remove', KEY])).code).toBe(0)
    current = k2
    expect(serfCli('127.0.0.63', ['keys', '-list']).stdout).not.toContain(KEY)
    for (const n of ['serf-1', 'serf-2']) expect((await members(agent)).find((m) => m.Name === n)?.Status).toBe(ALIVE)
  })

  it('sees a Serf agent killed with -9 as failed, and Serf sees it the same', async () => {
    procs[1].kill('SIGKILL')
    await waitStatus(agent, 'serf-2', FAILED, 30_000)
    await serfSees('127.0.0.61', 'serf-2', 'failed')
  })

  it('Serf sees a dc agent killed with -9 as failed', async () => {
    const second = await startNode('dc-2', '127.0.0.65', {args: [`-encrypt=${current}`, '-retry-join=127.0.0.61:7946', '-retry-interval=1s']})
    await serfSees('127.0.0.61', 'dc-2', 'alive')
    await second.kill()
    second.cleanup()
    await serfSees('127.0.0.61', 'dc-2', 'failed')
    await waitStatus(agent, 'dc-2', FAILED, 30_000)
  })

  it('sees a Serf agent leave as left; Serf sees dc leave as left', async () => {
    const r = serfCli('127.0.0.61', ['leave'])
    expect(r.code).toBe(0)
    await waitStatus(agent, 'serf-1', 3, 20_000)
    // Bring a Serf agent back to watch dc leave.
    serfAgent('serf-3', '127.0.0.64', [`-join=${await gossipAddr(agent)}`])
    await serfSees('127.0.0.64', 'dc-1', 'alive')
    expect((await dc(agent, ['leave'])).code).toBe(0)
    // Usually the leave intent itself arrives; if a loaded machine delays it past the leaver's
    // exit, Serf first marks it failed and learns "left" from the next push/pull (LAN: 30 s).
    await serfSees('127.0.0.64', 'dc-1', 'left', 70_000)
  }, 120_000)
})
