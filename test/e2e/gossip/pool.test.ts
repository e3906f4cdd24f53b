/**
 * Gossip between real agent processes on 127.0.0.41–44: join both ways, failure
 * detection after kill -9, graceful leave, force-leave, user events, and the CLI
 * commands that drive them.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createSocket} from 'node:dgram'
import {connect} from 'node:net'
import {waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {ALIVE, FAILED, LEFT, dc, gossipAddr, members, startNode, waitStatus} from './helpers.js'

const agents: RunningAgent[] = []
let a: RunningAgent, b: RunningAgent, c: RunningAgent

beforeAll(async () => {
  assertBuilt()
  ;[a, b, c] = await Promise.all([startNode('g-a', '127.0.0.41'), startNode('g-b', '127.0.0.42'), startNode('g-c', '127.0.0.43')])
  agents.push(a, b, c)
})

afterAll(async () => {
  await Promise.all(agents.map((x) => x.kill()))
  agents.forEach((x) => x.cleanup())
})

describe('LAN gossip between agent processes', () => {
  it('joins through the HTTP API and the CLI; every member sees every other alive', async () => {
    const r = await fetch(`${b.url}/v1/agent/join/${encodeURIComponent(await gossipAddr(a))}`, {method: 'PUT'})
    expect(r.status).toBe(200)
    const cli = await dc(c, ['join', await gossipAddr(b)])
    expect(cli.code).toBe(0)
    expect(cli.stdout.trim()).toBe('Successfully joined cluster by contacting 1 nodes.')
    for (const x of [a, b, c]) {
      for (const name of ['g-a', 'g-b', 'g-c']) await waitStatus(x, name, ALIVE)
    }
    const view = await members(c)
    const ma = view.find((m) => m.Name === 'g-a')!
    expect(ma.Addr).toBe('127.0.0.41')
    expect(ma.Tags).toMatchObject({role: 'consul', dc: 'dc1', vsn: '2', raft_vsn: '3', ft_raft_prop: '1'})
    expect(ma.Tags.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('dc members prints Consul columns and -status filters with exit 2 when nothing matches', async () => {
    const out = await dc(a, ['members'])
    expect(out.code).toBe(0)
    const lines = out.stdout.trim().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'])
    expect(lines.filter((l) => /\balive\b/.test(l)).map((l) => l.split(/\s+/)[0]).sort()).toEqual(['g-a', 'g-b', 'g-c'])
    const none = await dc(a, ['members', '-status=failed'])
    expect(none.code).toBe(2)
    const json = JSON.parse((await dc(a, ['members', '-format=json'])).stdout) as {Name: string}[]
    expect(json.map((m) => m.Name).sort()).toEqual(['g-a', 'g-b', 'g-c'])
    const wan = await members(a, true)
    expect(wan.map((m) => m.Name).sort()).toEqual(['g-a.dc1', 'g-b.dc1', 'g-c.dc1'])
  })

  it('a join to an address where nothing listens fails in bounded time with exit 1', async () => {
    const t0 = Date.now()
    const r = await dc(a, ['join', '127.0.0.49:1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Error joining address '127\.0\.0\.49:1'/)
    expect(r.stderr).toMatch(/Failed to join any nodes/)
    expect(Date.now() - t0).toBeLessThan(15_000)
  })

  it('delivers a user event to every agent, filtered by node, and /v1/event/list blocks until one arrives', async () => {
    const before = await fetch(`${c.url}/v1/event/list?name=deploy`)
    const idx = before.headers.get('x-consul-index')!
    const blocked = fetch(`${c.url}/v1/event/list?name=deploy&index=${idx}&wait=20s`)
    const fired = await dc(a, ['event', '-name', 'deploy', 'v42'])
    expect(fired.code).toBe(0)
    const id = /^Event ID: (\S+)$/.exec(fired.stdout.trim())![1]
    const res = await blocked
    const list = (await res.json()) as {ID: string; Name: string; Payload: string}[]
    expect(list.at(-1)).toMatchObject({ID: id, Name: 'deploy'})
    expect(Buffer.from(list.at(-1)!.Payload, 'base64').toString()).toBe('v42')
    expect(res.headers.get('x-consul-index')).not.toBe(idx)
    // A node filter keeps it off the others.
    const only = (await (await fetch(`${a.url}/v1/event/fire/only-b?node=^g-b$`, {method: 'PUT', body: 'x'})).json()) as {ID: string}
    await waitFor(async () => ((await (await fetch(`${b.url}/v1/event/list?name=only-b`)).json()) as {ID: string}[]).some((e) => e.ID === only.ID))
    expect(await (await fetch(`${c.url}/v1/event/list?name=only-b`)).json()).toEqual([])
  })

  it('survives garbage on its gossip port (UDP and TCP), counting what it dropped', async () => {
    const [ip, port] = (await gossipAddr(a)).split(':')
    const sock = createSocket('udp4')
    const sent: Promise<void>[] = []
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.alloc(1 + (i % 97))
      for (let j = 0; j < junk.length; j++) junk[j] = (i * 31 + j * 7) & 0xff
      sent.push(new Promise((r) => sock.send(junk, Number(port), ip, () => r())))
    }
    await Promise.all(sent)
    await new Promise<void>((r) => {
      const s = connect({host: ip, port: Number(port)}, () => s.end(Buffer.from([6, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff])))
      s.on('close', () => r())
      s.on('error', () => r())
    })
    sock.close()
    await waitFor(async () => {
      const self = (await (await fetch(`${a.url}/v1/agent/self`)).json()) as {Stats: {serf_lan: Record<string, string>}}
      const s = self.Stats.serf_lan
      return Number(s.packets_dropped) + Number(s.packets_rejected) > 0 && Number(s.streams_rejected) > 0
    })
    for (const name of ['g-a', 'g-b', 'g-c']) expect((await members(b)).find((m) => m.Name === name)?.Status).toBe(ALIVE)
  })

  it('marks a kill -9ed member failed everywhere, and its serfHealth critical in the catalog', async () => {
    const d = await startNode('g-d', '127.0.0.44')
    agents.push(d)
    expect((await dc(d, ['join', await gossipAddr(a)])).code).toBe(0)
    for (const x of [a, b, c]) await waitStatus(x, 'g-d', ALIVE)
    await d.kill()
    // Lifeguard starts a suspicion at 6× its minimum timeout and shortens it as others confirm;
    // on a loaded machine confirmations come late, so allow the whole maximum (~24 s here).
    for (const x of [a, b, c]) await waitStatus(x, 'g-d', FAILED, 40_000)
    const checks = (await (await fetch(`${a.url}/v1/health/node/g-d`)).json()) as {CheckID: string; Status: string}[]
    await waitFor(async () => {
      const cs = (await (await fetch(`${a.url}/v1/health/node/g-d`)).json()) as {CheckID: string; Status: string}[]
      return cs.find((x) => x.CheckID === 'serfHealth')?.Status === 'critical'
    })
    expect(Array.isArray(checks)).toBe(true)
    // force-leave moves it to left; -prune erases it; an unknown name is Consul's error.
    expect((await dc(b, ['force-leave', 'g-d'])).code).toBe(0)
    for (const x of [a, b, c]) await waitStatus(x, 'g-d', LEFT)
    expect((await dc(b, ['force-leave', '-prune', 'g-d'])).code).toBe(0)
    for (const x of [a, b, c]) await waitStatus(x, 'g-d', undefined)
    const unknown = await dc(b, ['force-leave', 'nobody'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/No node found with name 'nobody'/)
  }, 90_000)

  it('shows a graceful leave as left, not failed', async () => {
    const r = await dc(c, ['leave'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Graceful leave complete/)
    for (const x of [a, b]) await waitStatus(x, 'g-c', LEFT)
    await waitFor(() => c.proc.exitCode !== null)
  })
})
