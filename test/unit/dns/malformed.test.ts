import dnsPacket from 'dns-packet'
import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {populated} from './fake-catalog.js'
import {answersOf, ask, makeHandler, queryPacket, rcodeOf} from './helpers.js'

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): Buffer {
  const b = Buffer.alloc(12)
  b.writeUInt16BE(id, 0)
  b.writeUInt16BE(flags, 2)
  b.writeUInt16BE(qd, 4)
  b.writeUInt16BE(an, 6)
  b.writeUInt16BE(ns, 8)
  b.writeUInt16BE(ar, 10)
  return b
}

const typeClass = Buffer.from([0, 1, 0, 1])

describe('malformed packets', () => {
  it('specific cases: drop runts and responses, NOTIMP other opcodes, FORMERR bad sections and loops', () => {
    const {handler} = makeHandler(populated(3))
    expect(handler.handle(Buffer.alloc(0), 'udp').kind).toBe('drop')
    expect(handler.handle(Buffer.alloc(11), 'udp').kind).toBe('drop')
    expect(handler.handle(Buffer.concat([header(1, 0x8000, 1), queryPacket('x', 'A').subarray(12)]), 'udp').kind).toBe('drop')
    const rcode = (b: Buffer) => {
      const r = handler.handle(b, 'udp')
      if (r.kind !== 'reply') throw new Error(r.kind)
      const d = dnsPacket.decode(r.bytes)
      return {rcode: (d as unknown as {rcode: string}).rcode, id: d.id, questions: d.questions?.length}
    }
    // UPDATE (opcode 5)
    expect(rcode(Buffer.concat([header(7, 5 << 11, 1), queryPacket('web.service.consul', 'A').subarray(12)]))).toEqual({rcode: 'NOTIMP', id: 7, questions: 0})
    // Zero or two questions.
    expect(rcode(header(8, 0x100, 0))).toEqual({rcode: 'FORMERR', id: 8, questions: 0})
    expect(rcode(Buffer.concat([header(9, 0, 2), queryPacket('a.consul', 'A').subarray(12), queryPacket('b.consul', 'A').subarray(12)])).rcode).toBe('FORMERR')
    // Compression pointer to itself, and a forward pointer.
    expect(rcode(Buffer.concat([header(10, 0, 1), Buffer.from([0xc0, 12]), typeClass])).rcode).toBe('FORMERR')
    expect(rcode(Buffer.concat([header(11, 0, 1), Buffer.from([0xc0, 14, 0xc0, 12]), typeClass])).rcode).toBe('FORMERR')
    // Label running past the end; missing type/class.
    expect(rcode(Buffer.concat([header(12, 0, 1), Buffer.from([40, 97, 98])])).rcode).toBe('FORMERR')
    expect(rcode(Buffer.concat([header(13, 0, 1), Buffer.from([3, 119, 101, 98, 0])])).rcode).toBe('FORMERR')
    // Too many additional records claimed.
    expect(rcode(Buffer.concat([header(14, 0, 1, 0, 0, 3), queryPacket('a.consul', 'A').subarray(12)])).rcode).toBe('FORMERR')
    // Truncated OPT record.
    const withOpt = queryPacket('web.service.consul', 'A', {bufsize: 4096})
    expect(rcode(withOpt.subarray(0, withOpt.length - 3)).rcode).toBe('FORMERR')
  })

  it('survives 10,000 random, truncated, mutated and looping packets, then still answers', () => {
    const cat = populated(5)
    const {handler} = makeHandler(cat, {recursors: ['127.0.0.1:9']})
    const rnd = seededRandom(20240601)
    const valid = [
      queryPacket('web.service.consul', 'A'), queryPacket('web.service.consul', 'SRV', {bufsize: 4096}),
      queryPacket('web-node-1.node.consul', 'TXT'), queryPacket('1.0.0.10.in-addr.arpa', 'PTR'),
      queryPacket('example.com', 'AAAA'), queryPacket('_web._tcp.service.consul', 'SRV'),
    ]
    const kinds = {reply: 0, drop: 0, recurse: 0, pending: 0}
    for (let i = 0; i < 10_000; i++) {
      const base = valid[rnd.int(valid.length)]
      let pkt: Buffer
      switch (i % 5) {
        case 0: // pure noise, occasionally shaped like a header
          pkt = Buffer.from(rnd.bytes(rnd.int(300)))
          if (pkt.length >= 12 && rnd.int(2) === 0) pkt.writeUInt16BE(1, 4)
          break
        case 1: // truncated valid query
          pkt = base.subarray(0, rnd.int(base.length))
          break
        case 2: { // bit flips in a valid query
          pkt = Buffer.from(base)
          for (let f = 1 + rnd.int(4); f > 0; f--) pkt[rnd.int(pkt.length)] ^= 1 << rnd.int(8)
          break
        }
        case 3: { // compression pointers anywhere in the question
          pkt = Buffer.from(base)
          const at = 12 + rnd.int(pkt.length - 12)
          pkt[at] = 0xc0 | rnd.int(64)
          if (at + 1 < pkt.length) pkt[at + 1] = rnd.int(256)
          break
        }
        default: { // random header counts over a valid body, or trailing garbage
          pkt = Buffer.concat([base, Buffer.from(rnd.bytes(rnd.int(40)))])
          pkt.writeUInt16BE(rnd.int(4), 4 + 2 * rnd.int(4))
        }
      }
      const r = handler.handle(pkt, rnd.int(2) === 0 ? 'udp' : 'tcp')
      kinds[r.kind]++
      if (r.kind === 'reply') {
        const d = dnsPacket.decode(r.bytes)
        expect(d.id).toBe(pkt.readUInt16BE(0))
        expect(d.flag_qr).toBe(true)
      }
    }
    expect(kinds.reply).toBeGreaterThan(3000)
    expect(kinds.drop).toBeGreaterThan(100)
    const after = ask(handler, 'web.service.consul', 'A', {bufsize: 1232})
    expect(rcodeOf(after)).toBe('NOERROR')
    expect(answersOf(after)).toHaveLength(5)
  })
})
