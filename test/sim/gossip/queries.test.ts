import {describe, expect, it} from 'vitest'
import type {QueryResult} from '../../../src/agent/gossip/serf/serf.js'
import {GossipCluster, Status} from './cluster.js'
import {gossipSeeds, replayHint} from './seeds.js'

const FILE = 'test/sim/gossip/queries.test.ts'

describe('Serf queries (simulated)', () => {
  for (const seed of gossipSeeds()) {
    it(`collects every member's answer; with a relay factor an answer whose direct path is cut still arrives (seed ${seed})`, async () => {
      const c = new GossipCluster({seed, onQuery: (name, q) => void q.respond(new TextEncoder().encode(name))})
      const names = ['n0', 'n1', 'n2', 'n3']
      for (const n of names) c.add(n)
      for (const n of names.slice(1)) await c.join(n, 'n0')
      expect(await c.runUntil(() => c.allSee(names, Status.alive), 30_000), replayHint(seed, FILE)).toBe(true)

      const ask = async (relayFactor: number): Promise<string[]> => {
        let result: QueryResult | undefined
        void c.get('n0').serf.query('who', new Uint8Array(0), {relayFactor, timeoutMs: 2_000}).then((r) => void (result = r))
        await c.runUntil(() => result !== undefined, 5_000, 5)
        return [...result!.responses.keys()].sort()
      }
      expect(await ask(0), replayHint(seed, FILE)).toEqual(names)
      // Cut n2 → n0 only: n2 still hears the query (gossiped by others) but its direct answer is lost.
      c.net.filter = (from, to) => from === 'n2' && to === 'n0'
      expect(await ask(0), replayHint(seed, FILE)).toEqual(['n0', 'n1', 'n3'])
      expect(await ask(2), replayHint(seed, FILE)).toEqual(names)
    })
  }
})
