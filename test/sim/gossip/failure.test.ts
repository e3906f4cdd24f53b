import {describe, expect, it} from 'vitest'
import {suspicionTimeoutMs} from '../../../src/agent/gossip/memberlist/config.js'
import {GossipCluster, Status} from './cluster.js'
import {gossipSeeds, replayHint} from './seeds.js'

const FILE = 'test/sim/gossip/failure.test.ts'

async function converged(seed: number, n: number, lossP = 0): Promise<{c: GossipCluster; names: string[]}> {
  const c = new GossipCluster({seed, logLevel: 'warn', net: {lossP}})
  const names = Array.from({length: n}, (_, i) => `n${i}`)
  c.add('n0')
  const rng = c.world.rng('join-times')
  for (const name of names.slice(1)) c.startAt(name, rng.int(1_000), 'n0')
  // Joins ride on TCP push/pull (loss only delays them); under loss gossip needs longer to spread.
  const ok = await c.runUntil(() => c.allSee(names, Status.alive), 60_000)
  if (!ok) expect.fail(`not converged: ${c.describeViews(names)}; ${replayHint(seed, FILE)}`)
  return {c, names}
}

/**
 * RELIABILITY-PLAN §11's detection bound: the suspicion timeout plus
 * 3 protocol periods × ⌈log₂N⌉. memberlist's suspicion timeout runs from
 * min = mult × max(1, log10 N) × probe interval down from max = 6 × min as
 * confirmations arrive, so the bound takes max (no confirmation at all).
 */
function detectionBoundMs(c: GossipCluster, n: number): number {
  const min = suspicionTimeoutMs(c.timing.suspicionMult, n, c.timing.probeIntervalMs)
  return c.timing.suspicionMaxTimeoutMult * min + 3 * c.timing.probeIntervalMs * Math.ceil(Math.log2(n))
}

describe('gossip failure detection (simulated, real Serf + memberlist)', () => {
  for (const seed of gossipSeeds()) {
    it(`no false failure among 50 members at 10% packet loss over 3 virtual minutes (seed ${seed})`, async () => {
      const {c, names} = await converged(seed, 50, 0.1)
      await c.runFor(3 * 60_000)
      const lost = c.net.totals.lost / c.net.totals.packets
      // The run really was lossy: probes did fail (every path, TCP fallback included)
      // and members were suspected, yet Lifeguard never declared a healthy one failed.
      expect(lost).toBeGreaterThan(0.08)
      const probeFailures = names.reduce((sum, x) => sum + c.get(x).serf.memberlist.stats.probeFailures, 0)
      expect(probeFailures).toBeGreaterThan(0)
      expect(c.falseFailures(), replayHint(seed, FILE)).toEqual([])
      expect(c.allSee(names, Status.alive), replayHint(seed, FILE)).toBe(true)
    })

    it(`a crashed member is declared failed by every live member within the suspicion bound (seed ${seed})`, async () => {
      const n = 50
      const {c, names} = await converged(seed, n)
      const victim = 'n23'
      const killedAt = c.world.nowMs()
      c.kill(victim)
      const bound = detectionBoundMs(c, n)
      const ok = await c.runUntil(() => c.allSee([victim], Status.failed), bound)
      if (!ok) expect.fail(`not failed everywhere within ${bound} ms: ${c.describeViews([victim])}; ${replayHint(seed, FILE)}`)
      const seen = c.events.filter((e) => e.member === victim && e.type === 'member-failed')
      expect(new Set(seen.map((e) => e.observer)).size).toBe(n - 1)
      expect(Math.max(...seen.map((e) => e.atMs)) - killedAt).toBeLessThanOrEqual(bound)
      // Only the victim failed; the rest stay alive in every view.
      expect(c.falseFailures(), replayHint(seed, FILE)).toEqual([])
      expect(c.allSee(names.filter((x) => x !== victim), Status.alive)).toBe(true)
    })

    it(`a healed partition converges back to one pool (seed ${seed})`, async () => {
      const n = 30
      const {c, names} = await converged(seed, n)
      const a = names.slice(0, 18)
      const b = names.slice(18)
      c.net.partition([a, b])
      // Long enough for each side to declare the other failed.
      const split = await c.runUntil(() => c.allSee(b, Status.failed, a.map((x) => c.get(x))) && c.allSee(a, Status.failed, b.map((x) => c.get(x))), 120_000)
      if (!split) expect.fail(`the sides never saw each other fail: ${c.describeViews(names)}; ${replayHint(seed, FILE)}`)
      c.net.heal()
      // Serf retries failed members every 30 s (each member with probability
      // failed/alive), the push/pull that follows carries both views, and the members
      // accused of being dead refute with a higher incarnation.
      const healed = await c.runUntil(() => c.allSee(names, Status.alive), 3 * 30_000)
      if (!healed) expect.fail(`no convergence after heal: ${c.describeViews(names)}; ${replayHint(seed, FILE)}`)
    })

    it(`a crashed member that restarts and rejoins is alive again with a higher incarnation (seed ${seed})`, async () => {
      const {c, names} = await converged(seed, 12)
      const victim = 'n5'
      c.kill(victim)
      const failed = await c.runUntil(() => c.allSee([victim], Status.failed), 60_000)
      expect(failed, replayHint(seed, FILE)).toBe(true)
      const deadInc = c.get('n0').serf.memberlist.member(victim)!.incarnation
      c.add(victim)
      await c.join(victim, 'n0')
      const back = await c.runUntil(() => c.allSee(names, Status.alive), 30_000)
      if (!back) expect.fail(`restarted member not alive everywhere: ${c.describeViews([victim])}; ${replayHint(seed, FILE)}`)
      for (const m of c.live()) {
        if (m.name === victim) continue
        expect(m.serf.memberlist.member(victim)!.incarnation).toBeGreaterThan(deadInc)
      }
    })
  }
})
