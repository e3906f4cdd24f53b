import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {ProposalDroppedError, type Ready} from '../../../src/agent/raft/core/index.js'
import {Network, type TestNode} from './network.js'

/**
 * Randomized runs: 5 nodes, a seeded schedule of ticks, out-of-order delivery, drops,
 * duplicates, partitions, crashes/restarts, snapshots, and drivers that apply a Ready
 * while other messages are already being stepped (advance comes later). After every event:
 * at most one leader per term. At the end: state-machine safety, log matching, and
 * liveness once the network heals.
 */

const SEEDS = 40
const STEPS = 4000
const enc = new TextEncoder()

function checkLogMatching(nodes: TestNode[]): void {
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue
      const lo = Math.max(a.storage.firstIndex(), b.storage.firstIndex())
      const hi = Math.min(a.storage.lastIndex(), b.storage.lastIndex())
      let agreeFrom = -1
      for (let i = hi; i >= lo; i--) {
        if (a.storage.term(i) === b.storage.term(i)) {
          agreeFrom = i
          break
        }
      }
      // Same index and term ⇒ identical logs up to there.
      for (let i = lo; i <= agreeFrom; i++) {
        const [ea] = a.storage.entries(i, i + 1)
        const [eb] = b.storage.entries(i, i + 1)
        expect({i, a: a.id, b: b.id, term: ea!.term, data: [...ea!.data]}).toEqual({i, a: a.id, b: b.id, term: eb!.term, data: [...eb!.data]})
      }
    }
  }
}

function runSeed(seed: number): void {
  const rng = seededRandom(seed)
  const ids = ['1', '2', '3', '4', '5']
  // 1-4 found the group; 5 starts empty and may be added (and any node removed) later.
  const net = new Network(['1', '2', '3', '4'], {
    seed,
    electionTicks: 4,
    preVote: rng.float() < 0.7,
    checkQuorum: rng.float() < 0.7,
    maxSizePerMsg: 64,
    maxInflightMsgs: 4,
  })
  net.addNode('5')
  const pending = new Map<string, Ready>()
  const leaderOfTerm = new Map<number, string>()
  const dropRate = rng.float() * 0.3
  let proposals = 0

  const observe = () => {
    for (const id of ids) {
      const st = net.status(id)
      if (st.role !== 'leader') continue
      const seen = leaderOfTerm.get(st.term)
      if (seen !== undefined && seen !== id) throw new Error(`seed ${seed}: two leaders in term ${st.term}: ${seen} and ${id}`)
      leaderOfTerm.set(st.term, id)
    }
  }
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!

  for (let step = 0; step < STEPS; step++) {
    const r = rng.float()
    const id = pick(ids)
    const n = net.node(id)
    // Time passes now and then, and always when nothing else is going on.
    const idle = net.queue.length === 0 && pending.size === 0 && !ids.some((x) => net.node(x).raw.hasReady())
    if (idle || r < 0.04) {
      n.raw.tick()
    } else if (r < 0.55) {
      if (net.queue.length > 0) {
        const i = rng.int(net.queue.length)
        const m = net.queue[i]!
        if (rng.float() < 0.05) {
          // Duplicate: deliver now, keep the original queued.
        } else {
          net.queue.splice(i, 1)
        }
        if (rng.float() >= dropRate) net.deliver(m)
        else net.lose(m)
      }
    } else if (r < 0.85) {
      // Two-phase driver: persist+send+apply now, advance at the node's next turn.
      const rd = pending.get(id)
      if (rd) {
        n.raw.advance(rd)
        pending.delete(id)
      } else if (n.raw.hasReady()) {
        const next = n.raw.ready()
        net.persistAndApply(n, next)
        pending.set(id, next)
      }
    } else if (r < 0.96) {
      const leaders = net.leaders()
      if (leaders.length > 0) {
        try {
          net.node(pick(leaders)).raw.propose(enc.encode(`s${seed}-p${proposals++}`))
        } catch (e) {
          if (!(e instanceof ProposalDroppedError)) throw e
        }
      }
    } else if (r < 0.964) {
      // Heal, split at random, or cut a leader off with a minority.
      net.recover()
      const leaders = net.leaders()
      const split = rng.float() < 0.5 && leaders.length > 0 ? [pick(leaders), pick(ids)] : ids.filter(() => rng.float() < 0.5)
      if (rng.float() < 0.8 && split.length < ids.length) net.partition([...new Set(split)], ids.filter((x) => !split.includes(x)))
    } else if (r < 0.968) {
      // Crash: whatever was not persisted is lost (a persisted, unadvanced Ready is kept).
      pending.delete(id)
      net.restart(id)
    } else if (r < 0.975) {
      if (!pending.has(id) && n.raw.status().applied >= n.storage.firstIndex() + 2) net.snapshotAndCompact(id)
    } else {
      // A single-server membership change, keeping at least 3 voters.
      const leaders = net.leaders()
      if (leaders.length > 0) {
        const lead = net.node(pick(leaders)).raw
        const voters = lead.status().conf.voters
        const outsider = ids.find((x) => !voters.includes(x))
        const target = outsider !== undefined && rng.float() < 0.5 ? outsider : id
        try {
          if (!voters.includes(target)) lead.proposeConfChange({type: 'addVoter', node: target})
          else if (voters.length > 3) lead.proposeConfChange({type: 'removeNode', node: target})
        } catch (e) {
          if (!(e instanceof ProposalDroppedError)) throw e
        }
      }
    }
    observe()
  }

  // Liveness: heal, finish pending Readies, and let the cluster converge on one leader
  // that commits a final entry on every member. Nodes outside the membership known to the
  // most advanced node are shut down (not ticked), as an operator would.
  net.recover()
  for (const [id, rd] of pending) net.node(id).raw.advance(rd)
  net.stabilize()
  const members = () => {
    const st = ids.map((x) => net.status(x)).reduce((a, b) => (b.applied > a.applied ? b : a))
    return [...st.conf.voters, ...st.conf.learners]
  }
  let done = false
  for (let round = 0; round < 200 && !done; round++) {
    net.tick(1, members())
    observe()
    const leaders = net.leaders()
    if (leaders.length !== 1) continue
    try {
      net.propose(leaders[0]!, `final-${seed}`)
    } catch (e) {
      if (!(e instanceof ProposalDroppedError)) throw e
      continue
    }
    net.tick(3, members())
    done = members().every((x) => net.appliedData(x).at(-1) === `final-${seed}`)
  }
  expect(done, `seed ${seed}: cluster did not converge after healing`).toBe(true)
  net.assertAppliedPrefixes()
  checkLogMatching([...net.nodes.values()])
}

describe('raft core: randomized safety', () => {
  it(`no two leaders per term, applied prefixes agree, logs match (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) runSeed(seed)
  })
})
