import {describe, expect, it} from 'vitest'
import {retransmitLimit} from '../../../src/agent/gossip/memberlist/config.js'
import {GossipCluster, Status} from './cluster.js'
import {gossipSeeds, replayHint} from './seeds.js'

const FILE = 'test/sim/gossip/membership.test.ts'
const JOIN_SPREAD_MS = 1_000

/**
 * Members start one by one within JOIN_SPREAD_MS and each joins through the same seed
 * node (as `-retry-join` at one address does). Gossip alone must then tell everyone
 * about everyone: each alive/join broadcast is retransmitted retransmitLimit(N)
 * times, three targets every gossip interval, and a join burst queues N of them at
 * once, so a member's view fills within a few retransmit windows. The bound used is
 * 4 retransmit windows after the last join — well before the first periodic
 * push/pull (≥ 15 s) could be what helped.
 */
async function joinAll(seed: number, n: number): Promise<{c: GossipCluster; names: string[]; convergedMs: number; boundMs: number}> {
  const c = new GossipCluster({seed, logLevel: 'warn'})
  const names = Array.from({length: n}, (_, i) => `n${i}`)
  c.add('n0')
  const rng = c.world.rng('join-times')
  for (const name of names.slice(1)) c.startAt(name, rng.int(JOIN_SPREAD_MS), 'n0')
  const window = retransmitLimit(c.timing.retransmitMult, n) * c.timing.gossipIntervalMs
  const boundMs = JOIN_SPREAD_MS + 4 * window
  const ok = await c.runUntil(() => c.allSee(names, Status.alive), boundMs)
  expect(c.joinErrors, replayHint(seed, FILE)).toEqual([])
  if (!ok) expect.fail(`not converged within ${boundMs} ms: ${c.describeViews(names)}; ${replayHint(seed, FILE)}`)
  return {c, names, convergedMs: c.world.nowMs(), boundMs}
}

describe('gossip membership (simulated, real Serf + memberlist)', () => {
  for (const seed of gossipSeeds()) {
    it(`50 members join through one seed, all see all alive; a graceful leave shows as left everywhere (seed ${seed})`, async () => {
      const {c, names} = await joinAll(seed, 50)
      expect(c.falseFailures(), replayHint(seed, FILE)).toEqual([])

      const leaver = 'n17'
      const leftAt = c.world.nowMs()
      await c.leave(leaver)
      // Everyone else must record "left", not "failed": the Serf leave intent and
      // memberlist's self-dead message both say it was on purpose.
      const others = names.filter((n) => n !== leaver)
      const ok = await c.runUntil(() => c.allSee([leaver], Status.left), 10_000)
      if (!ok) expect.fail(`leave did not reach everyone: ${c.describeViews([leaver])}; ${replayHint(seed, FILE)}`)
      expect(c.events.filter((e) => e.member === leaver && e.type === 'member-failed'), replayHint(seed, FILE)).toEqual([])
      // And it stays that way: no late probe turns the departed member into a failure.
      await c.runFor(60_000)
      expect(c.allSee([leaver], Status.left), replayHint(seed, FILE)).toBe(true)
      expect(c.allSee(others, Status.alive), replayHint(seed, FILE)).toBe(true)
      expect(c.events.filter((e) => e.type === 'member-failed' && e.atMs >= leftAt), replayHint(seed, FILE)).toEqual([])
    })

    it(`200 members join through one seed and converge within the gossip bound (seed ${seed})`, async () => {
      const {c, convergedMs, boundMs} = await joinAll(seed, 200)
      expect(convergedMs).toBeLessThanOrEqual(boundMs)
      expect(c.falseFailures(), replayHint(seed, FILE)).toEqual([])
    })
  }

  it('replays a seed exactly: same seed, same event digest', async () => {
    const run = async (seed: number) => {
      const {c} = await joinAll(seed, 12)
      await c.runFor(5_000)
      return c.world.digest()
    }
    const a = await run(3)
    expect(await run(3)).toBe(a)
    expect(await run(4)).not.toBe(a)
  })
})
