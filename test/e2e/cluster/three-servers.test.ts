/**
 * Three `dc agent -server -bootstrap-expect=3` processes on 127.0.0.21–23 with default
 * ports (8300 RPC + Raft, 8301/8302 gossip): they find each other by gossip, bootstrap
 * once, elect a leader, forward to it, and survive kill -9 and SIGSTOP of any of them
 * without losing an acknowledged write.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {dc} from '../gossip/helpers.js'
import {Partition, partitionSupport} from '../../helpers/iptables.js'
import {agreedLeader, convergedKv, get, missing, put, startServer, Workload, type ClusterServer} from './helpers.js'

const servers: ClusterServer[] = [
  {name: 'srv-a', ip: '127.0.0.21'},
  {name: 'srv-b', ip: '127.0.0.22'},
  {name: 'srv-c', ip: '127.0.0.23'},
]
const ips = servers.map((s) => s.ip)
const live = () => servers.filter((s) => s.agent && s.agent.proc.exitCode === null && s.agent.proc.signalCode === null).map((s) => s.agent!)
const byLeaderAddr = (addr: string) => servers.find((s) => `${s.ip}:8300` === addr)!

beforeAll(async () => {
  assertBuilt()
  await Promise.all(servers.map((s) => startServer(s, ips)))
}, 120_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.agent?.kill()))
  servers.forEach((s) => s.agent?.cleanup())
})

/**
 * All three servers are running, agree on a leader, and are voters again. Autopilot removes
 * a server gossip saw fail (cleanup_dead_servers, as Consul); once it is back the leader adds
 * it as a non-voter and promotes it after server_stabilization_time (10 s). Each fault test
 * starts from this state.
 */
async function healed(timeoutMs = 45_000): Promise<void> {
  await agreedLeader(live(), timeoutMs)
  await waitFor(async () => {
    const conf = JSON.parse((await get(live()[0]!, '/v1/operator/raft/configuration')).body) as {Servers: {Node: string; Voter: boolean}[]}
    return conf.Servers.length === 3 && conf.Servers.every((x) => x.Voter) && servers.every((x) => conf.Servers.some((c) => c.Node === x.name))
  }, timeoutMs, 250)
}

/** Restarts a killed server on its data dir and waits until the cluster is whole again. */
async function restart(s: ClusterServer): Promise<void> {
  await startServer(s, ips)
  await healed()
}

async function checkNothingLost(w: Workload): Promise<void> {
  const kv = await convergedKv(live(), 30_000)
  expect(missing(kv, w.acked)).toEqual([])
}

describe('three servers', () => {
  it('bootstrap together: one leader, three voters, each reporting the real addresses', async () => {
    const leader = await agreedLeader(live(), 20_000)
    expect(ips.map((ip) => `${ip}:8300`)).toContain(leader)
    for (const a of live()) {
      const peers = JSON.parse((await get(a, '/v1/status/peers')).body) as string[]
      expect(peers.sort()).toEqual(ips.map((ip) => `${ip}:8300`))
    }
    const conf = JSON.parse((await get(live()[0]!, '/v1/operator/raft/configuration')).body) as {Servers: {Node: string; Address: string; Leader: boolean; Voter: boolean}[]}
    expect(conf.Servers.map((s) => [s.Node, s.Address, s.Voter]).sort()).toEqual(servers.map((s) => [s.name, `${s.ip}:8300`, true]))
    expect(conf.Servers.filter((s) => s.Leader).map((s) => s.Address)).toEqual([leader])
  })

  it('a follower forwards writes; consistent reads through a follower see them; stale reads are local', async () => {
    const leader = await agreedLeader(live())
    const followers = servers.filter((s) => `${s.ip}:8300` !== leader).map((s) => s.agent!)
    expect(await put(followers[0]!, '/v1/kv/fwd/x', 'one')).toEqual({status: 200, body: 'true'})
    // The follower sent only the Raft entry and answered once it applied it: its own copy has the write.
    expect((await get(followers[0]!, '/v1/kv/fwd/x?stale&raw')).body).toBe('one')
    // CAS through a follower: decided by the FSM, so the right ModifyIndex wins and a stale one loses.
    const modify = (JSON.parse((await get(followers[0]!, '/v1/kv/fwd/x?stale')).body) as {ModifyIndex: number}[])[0]!.ModifyIndex
    expect(await put(followers[0]!, `/v1/kv/fwd/x?cas=${modify}`, 'two')).toEqual({status: 200, body: 'true'})
    expect(await put(followers[0]!, `/v1/kv/fwd/x?cas=${modify}`, 'three')).toEqual({status: 200, body: 'false'})
    expect(await put(followers[0]!, '/v1/kv/fwd/x', 'one')).toEqual({status: 200, body: 'true'})
    const r = await get(followers[1]!, '/v1/kv/fwd/x?consistent&raw')
    expect(r.status).toBe(200)
    expect(r.body).toBe('one')
    expect(r.headers.get('x-consul-knownleader')).toBe('true')
    expect(r.headers.get('x-consul-effective-consistency')).toBe('consistent')
    const stale = await waitFor(async () => {
      const s = await get(followers[1]!, '/v1/kv/fwd/x?stale&raw')
      return s.status === 200 && s.body === 'one' ? s : undefined
    })
    expect(stale.headers.get('x-consul-effective-consistency')).toBe('stale')
    expect(Number(stale.headers.get('x-consul-lastcontact'))).toBeGreaterThanOrEqual(0)
  })

  it('a blocking query on a follower wakes on a write made through another server', async () => {
    const leader = await agreedLeader(live())
    const followers = servers.filter((s) => `${s.ip}:8300` !== leader).map((s) => s.agent!)
    const first = await get(followers[0]!, '/v1/kv/block/k')
    const index = Number(first.headers.get('x-consul-index'))
    const blocked = get(followers[0]!, `/v1/kv/block/k?index=${index}&wait=20s&raw`)
    expect(await put(followers[1]!, '/v1/kv/block/k', 'woke')).toEqual({status: 200, body: 'true'})
    const r = await blocked
    expect(r.body).toBe('woke')
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(index)
  })

  it('kill -9 of the leader: a new leader within 10 s, no acknowledged write lost, stores equal after it returns', async () => {
    await healed()
    const w = new Workload(live, 'kill-leader')
    try {
      await w.progress(20)
      const old = byLeaderAddr(await agreedLeader(live()))
      await old.agent!.kill()
      const t0 = Date.now()
      // Until their election timeout the others still name the old leader; wait for another.
      const next = await agreedLeader(live(), 10_000, `${old.ip}:8300`)
      expect(ips.map((ip) => `${ip}:8300`)).toContain(next)
      await w.progress(20, 10_000)
      expect(Date.now() - t0).toBeLessThan(15_000)
      await restart(old)
      await w.progress(10)
    } finally {
      await w.stop()
    }
    await checkNothingLost(w)
  }, 150_000)

  it('kill -9 of a follower: writes continue; it catches up after restart', async () => {
    await healed()
    const w = new Workload(live, 'kill-follower')
    try {
      await w.progress(10)
      const leader = await agreedLeader(live())
      const f = servers.find((s) => `${s.ip}:8300` !== leader)!
      await f.agent!.kill()
      await w.progress(30, 10_000)
      await restart(f)
      await w.progress(10)
    } finally {
      await w.stop()
    }
    await checkNothingLost(w)
  }, 150_000)

  it('kill -9 of two servers: no quorum, no acknowledged write; both restart and nothing is lost', async () => {
    await healed()
    const w = new Workload(live, 'kill-two')
    try {
      await w.progress(10)
      const victims = servers.slice(0, 2)
      await Promise.all(victims.map((s) => s.agent!.kill()))
      // The survivor alone cannot commit: it may answer, but never acknowledges a write.
      const lone = live()[0]!
      const r = await put(lone, '/v1/kv/kill-two/alone', 'x').catch((e: Error) => ({status: 0, body: e.message}))
      expect(r.status).not.toBe(200)
      for (const s of victims) await startServer(s, ips)
      await healed()
      await w.progress(10)
    } finally {
      await w.stop()
    }
    await checkNothingLost(w)
  }, 180_000)

  it('SIGSTOP of the leader beyond the election timeout: the others elect a leader; the old one steps down on SIGCONT', async () => {
    await healed()
    let stopped: RunningAgent | undefined
    // A stopped process still accepts connections (the kernel does) but never answers: write elsewhere.
    const w = new Workload(() => live().filter((a) => a !== stopped), 'sigstop')
    try {
      await w.progress(10)
      const old = byLeaderAddr(await agreedLeader(live()))
      stopped = old.agent
      old.agent!.proc.kill('SIGSTOP')
      try {
        const others = live().filter((a) => a !== old.agent)
        const next = await agreedLeader(others, 10_000, `${old.ip}:8300`)
        expect(ips.map((ip) => `${ip}:8300`)).toContain(next)
        await w.progress(10, 15_000)
      } finally {
        old.agent!.proc.kill('SIGCONT')
        stopped = undefined
      }
      await healed()
      await w.progress(10)
    } finally {
      await w.stop()
    }
    await checkNothingLost(w)
  }, 150_000)

  it('a partition of the leader by address: the majority elects a leader; after the heal nothing acknowledged is lost', async ({skip}) => {
    await healed()
    const why = partitionSupport()
    if (why) skip(why)
    let cutOff: RunningAgent | undefined
    const w = new Workload(() => live().filter((a) => a !== cutOff), 'partition')
    const net = new Partition()
    try {
      await w.progress(10)
      const old = byLeaderAddr(await agreedLeader(live()))
      cutOff = old.agent
      net.cut([old.ip], servers.filter((s) => s !== old).map((s) => s.ip))
      const majority = live().filter((a) => a !== old.agent)
      const next = await agreedLeader(majority, 10_000, `${old.ip}:8300`)
      expect(ips.map((ip) => `${ip}:8300`)).toContain(next)
      await w.progress(20, 15_000)
      // The cut-off old leader cannot commit anything: a write to it is never acknowledged.
      const lone = await put(old.agent!, '/v1/kv/partition/minority', 'x').catch((e: Error) => ({status: 0, body: e.message}))
      expect(lone.status).not.toBe(200)
      net.heal()
      cutOff = undefined
      await healed()
      await w.progress(10)
    } finally {
      net.heal()
      await w.stop()
    }
    await checkNothingLost(w)
    expect((await get(live()[0]!, '/v1/kv/partition/minority?consistent')).status).toBe(404)
  }, 180_000)

  it('transfer-leader hands leadership to the named server', async () => {
    await healed()
    const leader = await agreedLeader(live())
    const target = servers.find((s) => `${s.ip}:8300` !== leader)!
    const conf = JSON.parse((await get(target.agent!, '/v1/operator/raft/configuration')).body) as {Servers: {ID: string; Node: string}[]}
    const id = conf.Servers.find((s) => s.Node === target.name)!.ID
    const r = await dc(target.agent!, ['operator', 'raft', 'transfer-leader', `-id=${id}`])
    expect(r.code).toBe(0)
    expect(await agreedLeader(live(), 10_000, leader)).toBe(`${target.ip}:8300`)
  }, 120_000)

  it('a fourth server joins as a non-voter, autopilot promotes it, and it is removed when it leaves', async () => {
    await healed()
    const fourth: ClusterServer = {name: 'srv-d', ip: '127.0.0.24'}
    try {
      await startServer(fourth, ips, 3)
      const voterOf = async () => {
        const conf = JSON.parse((await get(live()[0]!, '/v1/operator/raft/configuration')).body) as {Servers: {Node: string; Voter: boolean; Address: string}[]}
        return conf.Servers.find((s) => s.Node === 'srv-d')
      }
      const added = await waitFor(voterOf, 20_000, 200)
      expect(added.Address).toBe('127.0.0.24:8300')
      // server_stabilization_time is 10 s: healthy that long, then a voter.
      await waitFor(async () => (await voterOf())?.Voter === true, 40_000, 500)
      expect((await dc(fourth.agent!, ['leave'])).code).toBe(0)
      await waitFor(async () => (await voterOf()) === undefined, 30_000, 500)
      expect(JSON.parse((await get(live()[0]!, '/v1/status/peers')).body).sort()).toEqual(ips.map((ip) => `${ip}:8300`))
    } finally {
      await fourth.agent?.kill()
      fourth.agent?.cleanup()
    }
  }, 180_000)
})
