import {describe, expect, it} from 'vitest'
import {populated} from './fake-catalog.js'
import {additionalsOf, answersOf, ask, makeHandler, srvData} from './helpers.js'

/** Every SRV target in the answer has its glue record, and no glue is orphaned. */
function expectGlueMatches(p: ReturnType<typeof ask>): void {
  const targets = new Set(answersOf(p, 'SRV').map((a) => srvData(a).target))
  const glue = new Set(additionalsOf(p, 'A').map((a) => a.name))
  expect(glue).toEqual(targets)
}

describe('UDP size limits', () => {
  it('plain UDP (no EDNS): at most udp_answer_limit (3) answers, TC only with enable_truncate', () => {
    const cat = populated(10)
    const plain = ask(makeHandler(cat).handler, 'web.service.consul', 'A')
    expect(answersOf(plain)).toHaveLength(3)
    expect(plain.flag_tc).toBe(false)
    expect(plain.additionals ?? []).toEqual([])
    const tc = ask(makeHandler(cat, {dns_config: {enable_truncate: true}}).handler, 'web.service.consul', 'A')
    expect(answersOf(tc)).toHaveLength(3)
    expect(tc.flag_tc).toBe(true)
  })

  it('udp_answer_limit is capped at 8, as Consul', () => {
    const {handler} = makeHandler(populated(20), {dns_config: {udp_answer_limit: 50}})
    expect(answersOf(ask(handler, 'web.service.consul', 'A'))).toHaveLength(8)
    const {handler: one} = makeHandler(populated(20), {dns_config: {udp_answer_limit: 1}})
    expect(answersOf(ask(one, 'web.service.consul', 'A'))).toHaveLength(1)
  })

  it('plain UDP SRV fits in 512 bytes with matching glue', () => {
    const {handler} = makeHandler(populated(10), {dns_config: {enable_truncate: true}})
    const r = ask(handler, 'web.service.consul', 'SRV')
    expect(r.size).toBeLessThanOrEqual(512)
    expect(answersOf(r)).toHaveLength(3)
    expect(r.flag_tc).toBe(true)
    expectGlueMatches(r)
  })

  it('EDNS0: the client size is honoured and echoed in an OPT record', () => {
    const {handler} = makeHandler(populated(10))
    const r = ask(handler, 'web.service.consul', 'A', {bufsize: 4096})
    expect(answersOf(r)).toHaveLength(10)
    const opt = (r.additionals ?? []).find((a) => a.type === 'OPT') as {udpPayloadSize: number} | undefined
    expect(opt?.udpPayloadSize).toBe(4096)
    const plain = ask(handler, 'web.service.consul', 'A')
    expect((plain.additionals ?? []).some((a) => a.type === 'OPT')).toBe(false)
  })

  it('200 SRV instances over UDP with EDNS 1232: trimmed to fit, TC set with enable_truncate', () => {
    const cat = populated(200)
    for (const enableTruncate of [false, true]) {
      const {handler} = makeHandler(cat, {dns_config: {enable_truncate: enableTruncate}})
      const r = ask(handler, 'web.service.consul', 'SRV', {bufsize: 1232})
      expect(r.size).toBeLessThanOrEqual(1232 - 8)
      const n = answersOf(r).length
      expect(n).toBeGreaterThan(10)
      expect(n).toBeLessThan(200)
      expect(r.flag_tc).toBe(enableTruncate)
      expectGlueMatches(r)
      // Tight: one more instance would not have fit.
      expect(r.size + 40).toBeGreaterThan(1232 - 8)
    }
  })

  it('an EDNS size at or below 512 is treated as plain 512; sizes past 65467 are clamped', () => {
    const cat = populated(50)
    const {handler} = makeHandler(cat)
    const small = ask(handler, 'web.service.consul', 'A', {bufsize: 100})
    expect(small.size).toBeLessThanOrEqual(512)
    expect(answersOf(small)).toHaveLength(3) // Consul applies the plain-UDP answer cap here too
    const edns600 = ask(handler, 'web.service.consul', 'A', {bufsize: 600})
    expect(edns600.size).toBeLessThanOrEqual(600 - 8)
    expect(answersOf(edns600).length).toBeGreaterThan(20) // a real EDNS size: bytes only, no answer cap
    const big = ask(makeHandler(populated(5000)).handler, 'web.service.consul', 'A', {bufsize: 65535})
    expect(big.size).toBeLessThanOrEqual(65467 - 8)
  })
})

describe('TCP', () => {
  it('carries every record when they fit (200 SRV instances)', () => {
    const {handler} = makeHandler(populated(200), {dns_config: {enable_truncate: true}})
    const r = ask(handler, 'web.service.consul', 'SRV', {network: 'tcp'})
    expect(answersOf(r)).toHaveLength(200)
    expect(r.flag_tc).toBe(false)
    expectGlueMatches(r)
  })

  it('5,000 instances: fills one 64 KiB message (no arbitrary record cap), glue consistent', () => {
    const {handler} = makeHandler(populated(5000), {dns_config: {enable_truncate: true}})
    const srv = ask(handler, 'web.service.consul', 'SRV', {network: 'tcp'})
    expect(srv.size).toBeLessThanOrEqual(65535)
    expect(srv.size).toBeGreaterThan(65535 - 100)
    // ~65 bytes per instance (uncompressed SRV target per RFC 2782 + glue); names past
    // offset 16383 cannot be pointed at, so a little under 1,000 instances fit.
    expect(answersOf(srv).length).toBeGreaterThan(850)
    expect(srv.flag_tc).toBe(true)
    expectGlueMatches(srv)
    const a = ask(handler, 'web.service.consul', 'A', {network: 'tcp'})
    expect(a.size).toBeLessThanOrEqual(65535)
    expect(answersOf(a).length).toBeGreaterThan(4000) // 16 bytes per compressed A record
  })

  it('is not limited by udp_answer_limit', () => {
    const {handler} = makeHandler(populated(10))
    expect(answersOf(ask(handler, 'web.service.consul', 'A', {network: 'tcp'}))).toHaveLength(10)
  })
})

describe('compression', () => {
  it('is on by default and disable_compression turns it off (same records)', () => {
    const cat = populated(20)
    const on = ask(makeHandler(cat).handler, 'web.service.consul', 'SRV', {network: 'tcp'})
    const off = ask(makeHandler(cat, {dns_config: {disable_compression: true}}).handler, 'web.service.consul', 'SRV', {network: 'tcp'})
    expect(off.size).toBeGreaterThan(on.size * 1.5)
    const targets = (p: typeof on) => answersOf(p).map((a) => srvData(a).target).sort()
    expect(targets(off)).toEqual(targets(on))
  })
})
