import dnsPacket from 'dns-packet'
import {describe, expect, it} from 'vitest'
import type {DnsRecursor} from '../../../src/agent/dns/config.js'
import {parseDnsConfig} from '../../../src/agent/dns/config.js'
import {forwardToRecursors, recursorOrder, type RecursorTransport} from '../../../src/agent/dns/recursor.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {queryPacket} from './helpers.js'

type Behaviour = 'ok' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'garbage' | 'wrong-id'

/** A transport whose upstreams behave as scripted, recording who was asked. */
function scripted(byPort: Record<number, Behaviour>): RecursorTransport & {asked: string[]} {
  const asked: string[] = []
  return {
    asked,
    async exchange(query: Buffer, to: DnsRecursor, network, timeoutMs) {
      asked.push(`${to.port}/${network}`)
      const q = dnsPacket.decode(query)
      const reply = (rcode: number, answers: dnsPacket.Answer[] = []) => {
        const b = dnsPacket.encode({type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE | rcode, questions: q.questions, answers})
        return b
      }
      switch (byPort[to.port]) {
        case 'ok': return reply(0, [{type: 'A', name: q.questions![0].name, ttl: 60, data: '93.184.216.34'}])
        case 'nxdomain': return reply(3)
        case 'servfail': return reply(2)
        case 'refused': return reply(5)
        case 'garbage': return Buffer.from([1, 2, 3])
        case 'wrong-id': return Buffer.concat([Buffer.from([0, 0]), reply(0).subarray(2)])
        default: throw new Error(`timeout after ${timeoutMs}ms`)
      }
    },
  }
}

const config = (ports: number[], strategy = 'sequential') =>
  parseDnsConfig({recursors: ports.map((p) => `127.0.0.1:${p}`), dns_config: {recursor_strategy: strategy, recursor_timeout: '150ms'}})

describe('forwardToRecursors', () => {
  it('relays the first good answer unchanged', async () => {
    const t = scripted({1: 'ok', 2: 'ok'})
    const resp = await forwardToRecursors(queryPacket('example.com', 'A', {id: 99}), 'udp', {config: config([1, 2]), transport: t, random: seededRandom(1)})
    const d = dnsPacket.decode(resp!)
    expect(d.id).toBe(99)
    expect(d.answers!.map((a) => (a as {data: string}).data)).toEqual(['93.184.216.34'])
    expect(t.asked).toEqual(['1/udp'])
  })

  it('fails over past timeouts, SERVFAIL, REFUSED, garbage and wrong ids; NXDOMAIN counts as an answer', async () => {
    const t = scripted({1: 'timeout', 2: 'servfail', 3: 'refused', 4: 'garbage', 5: 'wrong-id', 6: 'nxdomain', 7: 'ok'})
    const resp = await forwardToRecursors(queryPacket('nope.example', 'A'), 'tcp', {config: config([1, 2, 3, 4, 5, 6, 7]), transport: t, random: seededRandom(1)})
    expect((dnsPacket.decode(resp!) as unknown as {rcode: string}).rcode).toBe('NXDOMAIN')
    expect(t.asked).toEqual(['1/tcp', '2/tcp', '3/tcp', '4/tcp', '5/tcp', '6/tcp'])
  })

  it('undefined when every recursor fails', async () => {
    const t = scripted({1: 'timeout', 2: 'servfail'})
    expect(await forwardToRecursors(queryPacket('x.example', 'A'), 'udp', {config: config([1, 2]), transport: t, random: seededRandom(1)})).toBeUndefined()
    expect(t.asked).toHaveLength(2)
  })

  it('random strategy tries every recursor once, in varying order', () => {
    const cfg = config([1, 2, 3, 4])
    const random = seededRandom(5)
    const orders = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const order = recursorOrder({config: {...cfg, recursorStrategy: 'random'}, random}).map((r) => r.port)
      expect([...order].sort()).toEqual([1, 2, 3, 4])
      orders.add(order.join(','))
    }
    expect(orders.size).toBeGreaterThan(3)
    expect(recursorOrder({config: cfg, random}).map((r) => r.port)).toEqual([1, 2, 3, 4])
  })
})
