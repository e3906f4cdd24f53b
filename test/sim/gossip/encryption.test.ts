import {describe, expect, it} from 'vitest'
import {Keyring} from '../../../src/agent/gossip/memberlist/keyring.js'
import type {Crypto} from '../../../src/agent/gossip/memberlist/wire.js'
import {GossipCluster, Status} from './cluster.js'
import {gossipSeeds, replayHint} from './seeds.js'

const FILE = 'test/sim/gossip/encryption.test.ts'

/**
 * Gossip encryption end to end on the simulated network: every packet and stream
 * is sealed and opened by the real wire code with each member's own keyring.
 */
function encryptedCluster(seed: number, rings: Map<string, Keyring>): GossipCluster {
  const nonces = new Map<string, ReturnType<GossipCluster['world']['rng']>>()
  const c: GossipCluster = new GossipCluster({
    seed,
    crypto: (name) => () => {
      const ring = rings.get(name)
      if (!ring) return undefined
      let rng = nonces.get(name)
      if (!rng) nonces.set(name, (rng = c.world.rng(`nonce:${name}`)))
      const r = rng
      const cr: Crypto = {keys: ring.all(), encryptOutgoing: true, verifyIncoming: true, nonce: () => r.bytes(12)}
      return cr
    },
  })
  return c
}

describe('gossip encryption (simulated)', () => {
  for (const seed of gossipSeeds()) {
    it(`rotating the key (install → use → remove) one member at a time never splits the pool (seed ${seed})`, async () => {
      const keyRng = (label: string) => Uint8Array.from({length: 32}, (_, i) => (i * 31 + label.charCodeAt(0) * 7 + seed) & 0xff)
      const [k1, k2] = [keyRng('a'), keyRng('b')]
      const names = ['n0', 'n1', 'n2', 'n3', 'n4']
      const rings = new Map(names.map((n) => [n, new Keyring([k1])]))
      const c = encryptedCluster(seed, rings)
      for (const n of names) c.add(n)
      for (const n of names.slice(1)) await c.join(n, 'n0')
      expect(await c.runUntil(() => c.allSee(names, Status.alive), 30_000), replayHint(seed, FILE)).toBe(true)
      // Every packet on the wire is sealed: version byte, nonce and tag around the plaintext.
      let clear = 0
      let sealed = 0
      c.net.tap = (d) => {
        if (!d.plain) return
        if (d.bytes >= d.plain.length + 1 + 12 + 16) sealed++
        else clear++
      }
      const steps: [string, (r: Keyring) => void][] = [['install', (r) => r.install(k2)], ['use', (r) => r.use(k2)], ['remove', (r) => r.remove(k1)]]
      for (const [label, op] of steps) {
        for (const n of names) {
          op(rings.get(n)!)
          // A second between members: mixed keyrings are on the wire for a while.
          await c.runFor(1_000)
          expect(c.allSee(names, Status.alive), `${label} on ${n}: ${c.describeViews(names)}; ${replayHint(seed, FILE)}`).toBe(true)
        }
        await c.runFor(10_000)
      }
      expect(c.events.filter((e) => e.type === 'member-failed'), replayHint(seed, FILE)).toEqual([])
      expect(rings.get('n3')!.all()).toEqual([k2])
      expect(sealed).toBeGreaterThan(100)
      expect(clear).toBe(0)
      // Gossip still flows under the new key alone.
      expect(c.get('n0').serf.memberlist.stats.packetsDropped).toBe(0)
    })

    it(`a member with the wrong key cannot join, and nobody learns of it (seed ${seed})`, async () => {
      const k1 = Uint8Array.from({length: 16}, (_, i) => i + seed)
      const k3 = Uint8Array.from({length: 16}, (_, i) => 200 - i)
      const rings = new Map([['n0', new Keyring([k1])], ['n1', new Keyring([k1])], ['intruder', new Keyring([k3])]])
      const c = encryptedCluster(seed, rings)
      for (const n of ['n0', 'n1', 'intruder']) c.add(n)
      await c.join('n1', 'n0')
      await expect(c.join('intruder', 'n0')).rejects.toThrow(/could not join/)
      await c.runFor(10_000)
      expect(c.status('n0', 'intruder')).toBeUndefined()
      expect(c.status('n1', 'intruder')).toBeUndefined()
      expect(c.allSee(['n0', 'n1'], Status.alive, [c.get('n0'), c.get('n1')])).toBe(true)
    })
  }
})
