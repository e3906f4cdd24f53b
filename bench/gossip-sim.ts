/**
 * Gossip convergence in the seeded simulator: real Serf + memberlist code
 * (test/sim/gossip) on a simulated LAN (1–5 ms one-way, no loss unless stated),
 * measured in VIRTUAL time. Figures are what the protocol does, not how fast
 * this machine is; the wall-clock cost of each run is printed beside them.
 *
 *   npx tsx bench/gossip-sim.ts                 # 10, 100, 1000 members
 *   GOSSIP_BENCH_SIZES=10,100 npx tsx bench/gossip-sim.ts
 *   GOSSIP_BENCH_LOSS_MINUTES=10                # length of the 5%-loss run (default 10)
 *   GOSSIP_BENCH_TRIALS=3                       # joins and crashes measured per size (default 3)
 *
 * Prints figures only; nothing is asserted.
 */
import {performance} from 'node:perf_hooks'
import {retransmitLimit, suspicionTimeoutMs} from '../src/agent/gossip/memberlist/config.js'
import {GossipCluster, type SeenEvent} from '../test/sim/gossip/cluster.js'

const SIZES = (process.env.GOSSIP_BENCH_SIZES ?? '10,100,1000').split(',').map(Number)
const LOSS_MINUTES = Number(process.env.GOSSIP_BENCH_LOSS_MINUTES ?? 10)
const SEED = Number(process.env.GOSSIP_BENCH_SEED ?? 1)
const QUANTILE = 0.999
const TRIALS = Number(process.env.GOSSIP_BENCH_TRIALS ?? 3)

/** First time each observer saw `type` for `member`, filled from the cluster's event hook. */
class Sightings {
  private readonly first = new Map<string, Map<string, number>>()
  private readonly aliveCount = new Map<string, number>()
  constructor(c: GossipCluster) {
    c.onMemberEvent = (e) => this.record(e)
  }
  record(e: SeenEvent): void {
    const k = `${e.type}/${e.member}`
    let m = this.first.get(k)
    if (!m) this.first.set(k, (m = new Map()))
    if (!m.has(e.observer)) m.set(e.observer, e.atMs)
    const d = e.type === 'member-join' ? 1 : e.type === 'member-failed' || e.type === 'member-leave' ? -1 : 0
    this.aliveCount.set(e.observer, (this.aliveCount.get(e.observer) ?? 0) + d)
  }
  count(type: string, member: string): number {
    return this.first.get(`${type}/${member}`)?.size ?? 0
  }
  /** When the `need`-th observer first saw it. */
  timeOf(type: string, member: string, need: number): number {
    const times = [...(this.first.get(`${type}/${member}`)?.values() ?? [])].sort((a, b) => a - b)
    return times[need - 1] ?? NaN
  }
  /** Every one of `observers` counts n live members (Serf reports itself too). */
  everyoneSeesAll(observers: string[], n: number): boolean {
    return observers.every((o) => this.aliveCount.get(o) === n)
  }
}

/** min / median / max of a few trials. */
function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b)
  return `min ${fmt(s[0])}, median ${fmt(s[Math.floor(s.length / 2)])}, max ${fmt(s[s.length - 1])}`
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`
}

async function bootstrap(n: number, lossP = 0): Promise<{c: GossipCluster; s: Sightings; names: string[]; bootMs: number}> {
  const c = new GossipCluster({seed: SEED, net: {lossP}})
  const s = new Sightings(c)
  const names = Array.from({length: n}, (_, i) => `n${i}`)
  c.add('n0')
  const rng = c.world.rng('join-times')
  // Staggered start (10 ms per member, at least 1 s) through one seed node, as -retry-join does.
  const spread = Math.max(1_000, n * 10)
  for (const name of names.slice(1)) c.startAt(name, rng.int(spread), 'n0')
  const wall0 = performance.now()
  const ok = await c.runUntil(() => s.everyoneSeesAll(names, n), 600_000, 100)
  if (!ok) throw new Error(`${n} members did not converge`)
  // Progress on stderr: the 1,000-member bootstrap alone takes minutes of wall time.
  process.stderr.write(`# ${n} members: bootstrap converged at ${fmt(c.world.nowMs())} virtual, ${((performance.now() - wall0) / 1000).toFixed(0)} s wall\n`)
  return {c, s, names, bootMs: c.world.nowMs()}
}

async function convergence(n: number): Promise<void> {
  const wall0 = performance.now()
  const {c, s, names, bootMs} = await bootstrap(n)
  const t = c.timing
  // Let the bootstrap's broadcast backlog drain (each member queued one alive and one
  // join intent per member, each sent retransmitLimit times), then measure steady
  // state: drained once a 10 s window carries no more than probes and their acks
  // (2 packets per member per second) plus a little.
  for (let i = 0; i < 60; i++) {
    const p0 = c.net.totals.packets
    await c.runFor(10_000)
    if ((c.net.totals.packets - p0) / n / 10 < 2.1) break
  }
  const drainedAt = c.world.nowMs()
  const before = {...c.net.totals}
  const windowMs = 60_000
  await c.runFor(windowMs)
  const perMemberSec = (x: number) => x / n / (windowMs / 1000)
  const pps = perMemberSec(c.net.totals.packets - before.packets)
  const bps = perMemberSec(c.net.totals.bytes - before.bytes)
  const streams = perMemberSec(c.net.totals.streams - before.streams)

  // New members join, one at a time, each through a random member; then members crash, one at a time.
  const joinMs: number[] = []
  const failMs: number[] = []
  let live = n
  for (let i = 0; i < TRIALS; i++) {
    const need = Math.ceil(QUANTILE * live)
    const joiner = `newcomer${i}`
    c.add(joiner)
    const via = names[1 + c.world.rng(`via${i}`).int(n - 1)]
    const joinStart = c.world.nowMs()
    await c.join(joiner, via)
    await c.runUntil(() => s.count('member-join', joiner) >= need + 1, 120_000, 10)
    joinMs.push(s.timeOf('member-join', joiner, need + 1) - joinStart) // +1: the joiner's own event
    live++
    await c.runFor(5_000)
  }
  const pool = names.slice(1)
  const pick = c.world.rng('victims')
  for (let i = 0; i < TRIALS; i++) {
    const victim = pool.splice(pick.int(pool.length), 1)[0]
    const killedAt = c.world.nowMs()
    c.kill(victim)
    live--
    const needFail = Math.ceil(QUANTILE * live)
    await c.runUntil(() => s.count('member-failed', victim) >= needFail, 300_000, 10)
    failMs.push(s.timeOf('member-failed', victim, needFail) - killedAt)
    await c.runFor(5_000)
  }
  const members = n + TRIALS
  const minSusp = suspicionTimeoutMs(t.suspicionMult, members, t.probeIntervalMs)
  const maxSusp = t.suspicionMaxTimeoutMult * minSusp
  const bound = maxSusp + 3 * t.probeIntervalMs * Math.ceil(Math.log2(members))
  const window = retransmitLimit(t.retransmitMult, members) * t.gossipIntervalMs
  const wall = (performance.now() - wall0) / 1000
  console.log(`## ${n} members (seed ${SEED})`)
  console.log(`bootstrap (all see all alive, joins spread over ${fmt(Math.max(1_000, n * 10))}): ${fmt(bootMs)}`)
  console.log(`join known by ${QUANTILE * 100}% of live members, ${TRIALS} joins: ${spread(joinMs)}   [gossip retransmit window ${retransmitLimit(t.retransmitMult, members)} × ${t.gossipIntervalMs} ms = ${fmt(window)}]`)
  console.log(`failure known by ${QUANTILE * 100}% of live members, ${TRIALS} crashes: ${spread(failMs)}   [suspicion min ${fmt(minSusp)}, max ${fmt(maxSusp)}; plan bound max + 3·probe·⌈log2 N⌉ = ${fmt(bound)}]`)
  console.log(`backlog drained at ${fmt(drainedAt)} virtual (10 s windows)`)
  console.log(`steady state per member: ${pps.toFixed(2)} UDP packets/s, ${Math.round(bps)} bytes/s, ${streams.toFixed(3)} TCP push/pulls/s`)
  console.log(`cost: ${c.world.eventCount()} events, ${fmt(c.world.nowMs())} virtual, ${wall.toFixed(1)} s wall`)
}

async function falseFailures(n: number, lossP: number, minutes: number): Promise<void> {
  const wall0 = performance.now()
  const {c, names} = await bootstrap(n, lossP)
  const from = c.world.nowMs()
  await c.runFor(minutes * 60_000)
  const f = c.falseFailures(from)
  const lost = c.net.totals.lost / c.net.totals.packets
  const pairs = n * (n - 1)
  const distinct = new Set(f.map((e) => `${e.observer}>${e.member}`)).size
  const suspicions = names.reduce((sum, x) => sum + c.get(x).serf.memberlist.stats.probeFailures, 0)
  console.log(`## ${n} members at ${(lossP * 100).toFixed(0)}% UDP loss for ${minutes} virtual minutes (measured loss ${(lost * 100).toFixed(1)}%)`)
  console.log(`false failures: ${f.length} member-failed events about live members; ${distinct} of ${pairs} observer→member views affected; failed probes (→ suspicion) ${suspicions}`)
  console.log(`cost: ${c.world.eventCount()} events, ${((performance.now() - wall0) / 1000).toFixed(1)} s wall`)
}

for (const n of SIZES) await convergence(n)
for (const n of SIZES.filter((x) => x <= 100)) await falseFailures(n, 0.05, LOSS_MINUTES)
