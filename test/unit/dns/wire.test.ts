import dnsPacket from 'dns-packet'
import {describe, expect, it} from 'vitest'
import type {Message, Rr} from '../../../src/agent/dns/protocol.js'
import {WireError, encodeMessage} from '../../../src/agent/dns/wire.js'

const records: Rr[] = [
  {type: 'A', name: 'web.service.consul', ttl: 5, address: new Uint8Array([10, 0, 0, 1])},
  {type: 'AAAA', name: 'web.service.consul', ttl: 5, address: new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])},
  {type: 'SRV', name: 'web.service.consul', ttl: 0, priority: 1, weight: 7, port: 8080, target: 'n1.node.dc1.consul'},
  {type: 'CNAME', name: 'x.service.consul', ttl: 0, target: 'db.example.com'},
  {type: 'PTR', name: '1.0.0.10.in-addr.arpa', ttl: 0, target: 'n1.node.dc1.consul'},
  {type: 'NS', name: 'consul', ttl: 0, target: 'n1.node.dc1.consul'},
  {type: 'TXT', name: 'n1.node.dc1.consul', ttl: 0, texts: ['rack=r1', 'x'.repeat(300)]},
]

function message(over: Partial<Message> = {}): Message {
  return {
    id: 777, opcode: 0, aa: true, tc: false, rd: true, ra: false, cd: false, rcode: 0,
    question: {name: 'web.service.consul', type: 33, class: 1},
    answers: records.slice(0, 3), authorities: [records[5]],
    additionals: [records[4], records[3], records[6]], edns: {udpSize: 1232}, ...over,
  }
}

describe('encodeMessage', () => {
  it('round-trips through dns-packet, compressed or not', () => {
    for (const compress of [true, false]) {
      const d = dnsPacket.decode(encodeMessage(message(), {compress})!)
      expect(d.id).toBe(777)
      expect(d.flag_qr && d.flag_aa && d.flag_rd).toBe(true)
      expect(d.flag_ra || d.flag_tc).toBe(false)
      expect(d.questions).toEqual([{name: 'web.service.consul', type: 'SRV', class: 'IN'}])
      expect(d.answers!.map((a) => [a.type, (a as {data: unknown}).data])).toEqual([
        ['A', '10.0.0.1'], ['AAAA', '2001:db8::1'], ['SRV', {priority: 1, weight: 7, port: 8080, target: 'n1.node.dc1.consul'}],
      ])
      expect(d.authorities!.map((a) => (a as {data: unknown}).data)).toEqual(['n1.node.dc1.consul'])
      const [ptr, cname, txt, opt] = d.additionals!
      expect((ptr as {data: string}).data).toBe('n1.node.dc1.consul')
      expect((cname as {data: string}).data).toBe('db.example.com')
      // Long TXT strings are split into 255-byte character-strings.
      expect((txt as {data: Buffer[]}).data.map((b) => b.length)).toEqual([7, 255, 45])
      expect(opt).toMatchObject({type: 'OPT', udpPayloadSize: 1232})
    }
  })

  it('compression shrinks repeated names and only points backwards', () => {
    const many: Message = message({
      answers: Array.from({length: 50}, (_, i): Rr => ({type: 'SRV', name: 'web.service.consul', ttl: 0, priority: 1, weight: 1, port: i, target: `n${i}.node.dc1.consul`})),
      additionals: Array.from({length: 50}, (_, i): Rr => ({type: 'A', name: `n${i}.node.dc1.consul`, ttl: 0, address: new Uint8Array([10, 0, 0, i])})),
      authorities: [],
    })
    const small = encodeMessage(many, {compress: true})!
    const big = encodeMessage(many, {compress: false})!
    expect(small.length).toBeLessThan(big.length * 0.7)
    const d = dnsPacket.decode(small)
    expect(d.answers).toHaveLength(50)
    expect(d.additionals!.filter((a) => a.type === 'A').map((a) => a.name)).toEqual(Array.from({length: 50}, (_, i) => `n${i}.node.dc1.consul`))
  })

  it('returns undefined past maxBytes and at the 64 KiB ceiling', () => {
    const m = message()
    const size = encodeMessage(m, {compress: true})!.length
    expect(encodeMessage(m, {compress: true, maxBytes: size})).toBeDefined()
    expect(encodeMessage(m, {compress: true, maxBytes: size - 1})).toBeUndefined()
    const huge = message({answers: Array.from({length: 5000}, (): Rr => ({type: 'TXT', name: 'a', ttl: 0, texts: ['y'.repeat(200)]}))})
    expect(encodeMessage(huge, {compress: true})).toBeUndefined()
  })

  it('rejects names it cannot encode', () => {
    expect(() => encodeMessage(message({answers: [{...records[0], name: 'a..b'}]}), {compress: true})).toThrow(WireError)
    expect(() => encodeMessage(message({answers: [{...records[0], name: 'x'.repeat(64)}]}), {compress: true})).toThrow(WireError)
  })

  it('encodes the root name and header-only messages', () => {
    const d = dnsPacket.decode(encodeMessage(message({question: {name: '', type: 2, class: 1}, answers: [], authorities: [], additionals: [], edns: undefined, rcode: 5}), {compress: true})!)
    expect(d.questions![0].name).toBe('.')
    expect((d as unknown as {rcode: string}).rcode).toBe('REFUSED')
  })
})
