import {describe, expect, it} from 'vitest'
import {suspicionTimeoutMs} from '../../../src/agent/gossip/memberlist/config.js'
import {
  MsgType, NodeState, PROTOCOL,
  decodeAck, decodeAlive, decodeCompound, decodeIndirectPing, decodePing, decodeSuspect, encodeAlive, encodeSuspect,
} from '../../../src/agent/gossip/memberlist/messages.js'
import {remainingSuspicionMs} from '../../../src/agent/gossip/memberlist/suspicion.js'
import {encodeJoin, encodeLeave, encodeTags} from '../../../src/agent/gossip/serf/messages.js'
import {GossipCluster, Status} from '../../sim/gossip/cluster.js'
import type {Delivery} from '../../sim/gossip/network.js'

/**
 * SWIM/Lifeguard interaction scripts: a handful of real Serf+memberlist nodes on
 * the simulated network, one scripted fault, and assertions on the messages that
 * crossed the wire (decoded from the tap) and on each node's own view.
 */

interface Part {
  at: number
  from: string
  to: string
  type: number
  body: Uint8Array
}

/** Flattens each delivered packet into its messages (compound parts unpacked). */
function partsOf(log: Delivery[]): Part[] {
  const out: Part[] = []
  const walk = (d: Delivery, buf: Uint8Array) => {
    if (buf[0] === MsgType.compound) for (const p of decodeCompound(buf.subarray(1)).parts) walk(d, p)
    else out.push({at: d.atMs, from: d.from, to: d.to, type: buf[0], body: buf.subarray(1)})
  }
  for (const d of log) if (d.plain) walk(d, d.plain)
  return out
}

async function pool(seed: number, n: number): Promise<{c: GossipCluster; names: string[]; log: Delivery[]}> {
  const c = new GossipCluster({seed, logLevel: 'debug'})
  const names = Array.from({length: n}, (_, i) => `n${i}`)
  for (const name of names) c.add(name)
  for (const name of names.slice(1)) await c.join(name, 'n0')
  expect(await c.runUntil(() => c.allSee(names, Status.alive), 30_000)).toBe(true)
  const log: Delivery[] = []
  c.net.tap = (d) => log.push(d)
  return {c, names, log}
}

const stateAt = (c: GossipCluster, observer: string, target: string) => c.get(observer).serf.memberlist.member(target)?.state
const userPacket = (serfMsg: Uint8Array) => Uint8Array.from([MsgType.user, ...serfMsg])

describe('SWIM probe cycle', () => {
  it('probe → ack: every ping is answered by its target and nothing escalates', async () => {
    const {c, log} = await pool(1, 4)
    const probesBefore = c.get('n0').serf.memberlist.stats.probes
    await c.runFor(6_000)
    const parts = partsOf(log)
    const pings = parts.filter((p) => p.from === 'n0' && p.type === MsgType.ping).map((p) => ({...p, ping: decodePing(p.body)}))
    expect(pings.length).toBeGreaterThanOrEqual(5)
    for (const p of pings) {
      expect(p.ping.node).toBe(p.to)
      const ack = parts.find((a) => a.type === MsgType.ackResp && a.from === p.to && a.to === 'n0' && decodeAck(a.body).seqNo === p.ping.seqNo)
      expect(ack, `ack for seq ${p.ping.seqNo}`).toBeDefined()
      expect(ack!.at - p.at).toBeLessThan(c.timing.probeTimeoutMs)
    }
    expect(parts.filter((p) => p.type === MsgType.indirectPing || p.type === MsgType.suspect)).toEqual([])
    expect(c.get('n0').serf.memberlist.stats.probes - probesBefore).toBe(6)
    expect(c.get('n0').serf.memberlist.stats.probeFailures).toBe(0)
  })

  it('probe → no ack → indirect probes through k peers → ack relayed by a peer: no suspicion', async () => {
    const {c, log} = await pool(2, 5)
    // UDP between n0 and n1 is dead both ways; everything else works.
    c.net.filter = (from, to, kind) => kind === 'packet' && ((from === 'n0' && to === 'n1') || (from === 'n1' && to === 'n0'))
    const indirect = () => partsOf(log).filter((p) => p.type === MsgType.indirectPing && p.from === 'n0')
    expect(await c.runUntil(() => indirect().length > 0, 10_000)).toBe(true)
    await c.runFor(c.timing.probeIntervalMs)
    const parts = partsOf(log)
    const reqs = indirect().map((p) => ({...p, req: decodeIndirectPing(p.body)}))
    const seq = reqs[0].req.seqNo
    const round = reqs.filter((r) => r.req.seqNo === seq)
    // k = 3 distinct live peers, each asked about n1.
    expect(round.map((r) => r.to).sort()).toEqual(['n2', 'n3', 'n4'])
    for (const r of round) {
      expect(r.req.node).toBe('n1')
      expect(r.req.nack).toBe(PROTOCOL.max >= 4)
      // The peer pinged n1, n1 answered the peer, and the peer relayed an ack with n0's seq.
      expect(parts.some((p) => p.from === r.to && p.to === 'n1' && p.type === MsgType.ping && p.at > r.at)).toBe(true)
      expect(parts.some((p) => p.from === 'n1' && p.to === r.to && p.type === MsgType.ackResp && p.at > r.at)).toBe(true)
      expect(parts.some((p) => p.from === r.to && p.to === 'n0' && p.type === MsgType.ackResp && decodeAck(p.body).seqNo === seq)).toBe(true)
    }
    // The TCP fallback ping went out beside them (memberlist does both).
    expect(log.some((d) => d.kind === 'stream' && d.from === 'n0' && d.to === 'n1' && d.types[0] === 'ping')).toBe(true)
    expect(parts.filter((p) => p.type === MsgType.suspect)).toEqual([])
    expect(stateAt(c, 'n0', 'n1')).toBe(NodeState.alive)
    expect(c.get('n0').serf.memberlist.stats.probeFailures).toBe(0)
  })

  it('no ack anywhere → suspect → the target refutes with a higher incarnation', async () => {
    const {c, log} = await pool(3, 5)
    const before = c.get('n0').serf.memberlist.member('n1')!.incarnation
    // A stalled process: n1 hears nothing and says nothing until resumed.
    c.pause('n1')
    expect(await c.runUntil(() => stateAt(c, 'n0', 'n1') === NodeState.suspect, 20_000, 1)).toBe(true)
    c.resume('n1')
    expect(await c.runUntil(() => stateAt(c, 'n0', 'n1') === NodeState.alive, 10_000, 1)).toBe(true)
    const after = c.get('n0').serf.memberlist.member('n1')!.incarnation
    expect(after).toBeGreaterThan(before)
    // The refutation is n1's own alive message at the new incarnation.
    const alive = partsOf(log).filter((p) => p.type === MsgType.alive && p.from === 'n1').map((p) => decodeAlive(p.body))
    expect(alive.some((a) => a.node === 'n1' && a.incarnation === after)).toBe(true)
    // Being accused lowered n1's own health score (Lifeguard: probe slower while unhealthy).
    expect(c.get('n1').serf.memberlist.healthScore()).toBeGreaterThan(0)
    expect(c.events.filter((e) => e.type === 'member-failed')).toEqual([])
    expect(c.allSee(['n1'], Status.alive)).toBe(true)
  })

  it('suspect → dead when the suspicion timeout ends, shortened by independent confirmations', async () => {
    const n = 6
    const {c, names, log} = await pool(4, n)
    c.kill('n1')
    const observers = names.filter((x) => x !== 'n1')
    const suspectAt = new Map<string, number>()
    const deadAt = new Map<string, number>()
    // Watch every observer's view after every event to time its transitions exactly.
    await c.world.runUntil(() => {
      for (const o of observers) {
        const s = stateAt(c, o, 'n1')
        if (s === NodeState.suspect && !suspectAt.has(o)) suspectAt.set(o, c.world.nowMs())
        if (s === NodeState.dead && !deadAt.has(o)) deadAt.set(o, c.world.nowMs())
      }
      return deadAt.size === observers.length
    }, {deadlineMs: c.world.nowMs() + 60_000})
    expect(deadAt.size).toBe(observers.length)

    const k = c.timing.suspicionMult - 2
    const min = suspicionTimeoutMs(c.timing.suspicionMult, n, c.timing.probeIntervalMs)
    const max = c.timing.suspicionMaxTimeoutMult * min
    const parts = partsOf(log)
    const logs = c.world.logs()
    let ownTimers = 0
    let shortened = 0
    for (const o of observers) {
      const start = suspectAt.get(o)!
      const end = deadAt.get(o)!
      expect(end).toBeGreaterThan(start)
      // Accusations o heard (suspect messages about n1) and made (its own failed probes, in its log).
      const heard = parts.filter((p) => p.to === o && p.type === MsgType.suspect).map((p) => ({at: p.at, ...decodeSuspect(p.body)})).filter((x) => x.node === 'n1')
      const made = logs.filter((l) => l.includes(`${o}.serf: suspect n1 has failed`)).map((l) => ({at: Number(l.trim().split(/\s+/)[0]), node: 'n1', from: o}))
      const claims = [...heard, ...made].sort((a, b) => a.at - b.at)
      const accuser = claims.find((x) => x.at <= start + 1e-9)!.from
      // Replay Lifeguard: each new peer after the accuser confirms once, at most k, and
      // moves the deadline to start + timeout(confirmations).
      const seen = new Set([accuser])
      let confirmations = 0
      let deadline = start + max
      for (const x of claims) {
        if (x.at <= start || x.at > deadline || seen.has(x.from) || confirmations >= k) continue
        seen.add(x.from)
        confirmations++
        deadline = Math.max(x.at, x.at + remainingSuspicionMs(confirmations, k, x.at - start, min, max))
      }
      if (deadline < start + max) shortened++
      if (logs.some((l) => l.includes(`${o}.serf: marking n1 as failed`))) {
        // o's own timer fired: exactly when the confirmations say, and never before min.
        ownTimers++
        expect(end, `${o}: ${confirmations} confirmations`).toBeCloseTo(deadline, 6)
        expect(end - start).toBeGreaterThanOrEqual(min - 1e-6)
      } else {
        // Someone else's timer fired first; its dead message reached o before o's deadline.
        expect(parts.some((p) => p.to === o && p.type === MsgType.dead && p.at === end)).toBe(true)
        expect(end).toBeLessThanOrEqual(deadline)
      }
    }
    // The first to declare n1 dead did so by its own timer, and confirmations did shorten it.
    expect(ownTimers).toBeGreaterThan(0)
    expect(shortened).toBeGreaterThan(0)
    expect(await c.runUntil(() => c.allSee(['n1'], Status.failed), 10_000)).toBe(true)
  })
})

describe('Lifeguard local health', () => {
  it('an accusation raises the health score; a probe answered only over TCP still counts as a success', async () => {
    const {c} = await pool(9, 3)
    const me = c.get('n0').serf.memberlist
    // All of n0's UDP is lost, both ways; TCP still works.
    c.net.filter = (from, to, kind) => kind === 'packet' && (from === 'n0' || to === 'n0')
    c.net.inject('n1', 'n0', encodeSuspectPacket(me.member('n0')!.incarnation, 'n0', 'n1'))
    await c.runFor(1)
    expect(me.healthScore()).toBe(1)
    const probes = me.stats.probes
    // One probe round at the slowed interval: the direct and indirect probes are lost,
    // the TCP fallback is answered, and memberlist counts any answer as success.
    expect(await c.runUntil(() => me.stats.probes > probes, 5_000, 1)).toBe(true)
    // The verdict comes at the end of the (slowed, 2 s) probe interval.
    await c.runFor(c.timing.probeIntervalMs * 2 + 1)
    expect(c.world.logs().some((l) => l.includes('n0.serf: was able to connect'))).toBe(true)
    expect(me.stats.probeFailures).toBe(0)
    expect(me.healthScore()).toBe(0)
  })
})

describe('leave, intents and incarnations', () => {
  it('a graceful leave is "left" in memberlist and Serf, never "failed"', async () => {
    const {c, log} = await pool(5, 4)
    await c.leave('n2')
    expect(await c.runUntil(() => c.allSee(['n2'], Status.left), 5_000)).toBe(true)
    for (const o of ['n0', 'n1', 'n3']) expect(stateAt(c, o, 'n2')).toBe(NodeState.left)
    // Its own dead message (node = from) is what says "on purpose".
    expect(partsOf(log).some((p) => p.type === MsgType.dead && decodeSuspect(p.body).node === 'n2' && decodeSuspect(p.body).from === 'n2')).toBe(true)
    await c.runFor(30_000)
    expect(c.events.filter((e) => e.type === 'member-failed')).toEqual([])
  })

  it('a leave intent no newer than the member status time is ignored; a newer one is refuted by the live member', async () => {
    const {c} = await pool(6, 4)
    const view = () => c.get('n0').serf.allMembers().find((m) => m.name === 'n2')!
    const l0 = view().statusLTime
    c.net.inject('n3', 'n0', userPacket(encodeLeave({ltime: l0, node: 'n2', prune: false})))
    await c.runFor(1)
    expect(view().status).toBe(Status.alive)
    expect(view().statusLTime).toBe(l0)

    c.net.inject('n3', 'n0', userPacket(encodeLeave({ltime: l0 + 10, node: 'n2', prune: false})))
    await c.runFor(1)
    expect(view().status).toBe(Status.leaving)
    // n0 re-gossips the intent; n2 hears it, is alive, and answers with a newer join intent.
    expect(await c.runUntil(() => view().status === Status.alive, 5_000, 1)).toBe(true)
    expect(view().statusLTime).toBeGreaterThan(l0 + 10)
    expect(c.events.filter((e) => e.member === 'n2' && e.type !== 'member-join')).toEqual([])
  })

  it('a join intent older than the latest leave intent does not bring a leaving member back', async () => {
    const {c} = await pool(7, 4)
    const view = () => c.get('n0').serf.allMembers().find((m) => m.name === 'n2')!
    // n2 stalls, so it cannot refute what is said about it.
    c.pause('n2')
    const l0 = view().statusLTime
    c.net.inject('n3', 'n0', userPacket(encodeLeave({ltime: l0 + 1, node: 'n2', prune: false})))
    await c.runFor(1)
    expect(view().status).toBe(Status.leaving)
    c.net.inject('n3', 'n0', userPacket(encodeLeave({ltime: l0 + 5, node: 'n2', prune: false})))
    await c.runFor(1)
    // Serf records the newest intent time whatever the status (serf#30: or it rebroadcasts forever).
    expect(view().statusLTime).toBe(l0 + 5)
    c.net.inject('n3', 'n0', userPacket(encodeJoin({ltime: l0 + 3, node: 'n2'})))
    await c.runFor(1)
    expect(view().status).toBe(Status.leaving)
  })

  it('a dead member is alive again only with a higher incarnation', async () => {
    const {c} = await pool(8, 4)
    c.kill('n3')
    expect(await c.runUntil(() => c.status('n0', 'n3') === Status.failed, 60_000)).toBe(true)
    const dead = c.get('n0').serf.memberlist.member('n3')!
    const alive = (incarnation: number) => userlessAlive(incarnation, dead.addr)
    c.net.inject('n1', 'n0', alive(dead.incarnation))
    await c.runFor(1)
    expect(c.status('n0', 'n3')).toBe(Status.failed)
    const joinsBefore = c.events.filter((e) => e.observer === 'n0' && e.member === 'n3' && e.type === 'member-join').length
    c.net.inject('n1', 'n0', alive(dead.incarnation + 1))
    await c.runFor(1)
    expect(c.status('n0', 'n3')).toBe(Status.alive)
    expect(stateAt(c, 'n0', 'n3')).toBe(NodeState.alive)
    expect(c.events.filter((e) => e.observer === 'n0' && e.member === 'n3' && e.type === 'member-join').length).toBe(joinsBefore + 1)
  })
})

function encodeSuspectPacket(incarnation: number, node: string, from: string): Uint8Array {
  return encodeSuspect({incarnation, node, from})
}

function userlessAlive(incarnation: number, addr: {ip: string; port: number}): Uint8Array {
  return encodeAlive({incarnation, node: 'n3', addr, meta: encodeTags({role: 'node'}), vsn: [PROTOCOL.min, PROTOCOL.max, PROTOCOL.cur, PROTOCOL.delegateMin, PROTOCOL.delegateMax, PROTOCOL.delegateCur]})
}
