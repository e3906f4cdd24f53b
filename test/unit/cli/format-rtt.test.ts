import {describe, expect, it} from 'vitest'
import {intersect, lanPair, rttLine, rttMs, wanPair} from '../../../src/cli/format/rtt.js'

const c = (x: number, extra = {}) => ({Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0, Height: 0, ...extra})

describe('rtt formatting', () => {
  it("prints consul's line with three decimals", () => {
    expect(rttLine({Node1: 'a', Node2: 'b', Coordinates: 'LAN', RTTMs: 0.6104})).toBe('Estimated a <-> b rtt: 0.610 ms (using LAN coordinates)')
    expect(rttLine({Node1: 'a.dc1', Node2: 'b.dc2', Coordinates: 'WAN', RTTMs: 12})).toBe('Estimated a.dc1 <-> b.dc2 rtt: 12.000 ms (using WAN coordinates)')
  })

  it('estimates with heights and adjustments, truncated to whole nanoseconds', () => {
    expect(rttMs(c(0), c(0.001234))).toBeCloseTo(1.234, 9)
    expect(rttMs(c(0, {Height: 0.0001}), c(0.001, {Height: 0.0002, Adjustment: 0.00005}))).toBeCloseTo(1.35, 9)
    expect(rttMs(c(0), c(1.2345678919e-3))).toBe(1.234567)
    expect(rttMs(c(0), {...c(0), Vec: [0, 0]})).toBeUndefined()
  })

  it('picks comparable segments as consul does', () => {
    const m = (e: [string, number][]) => new Map(e.map(([s, x]) => [s, c(x)]))
    expect(intersect(m([['', 1], ['a', 2]]), m([['', 3], ['a', 4]]))).toEqual([c(1), c(3)])
    expect(intersect(m([['a', 2]]), m([['', 3], ['a', 4]]))).toEqual([c(2), c(4)])
    expect(intersect(m([['', 1]]), m([]))).toEqual([c(1), undefined])
  })

  it('finds LAN coordinates case-insensitively', () => {
    const entries = [
      {Node: 'Web1', Segment: '', Coord: c(1)},
      {Node: 'db1', Segment: '', Coord: c(2)},
    ]
    expect(lanPair(entries, 'web1', 'DB1')).toEqual([c(1), c(2)])
    expect(lanPair(entries, 'web1', 'ghost')).toEqual([c(1), undefined])
  })

  it('finds WAN coordinates by node.dc within one area only', () => {
    const dcs = [
      {Datacenter: 'dc1', AreaID: 'WAN', Coordinates: [{Node: 's1', Segment: '', Coord: c(1)}]},
      {Datacenter: 'dc2', AreaID: 'WAN', Coordinates: [{Node: 's2', Segment: '', Coord: c(2)}]},
      {Datacenter: 'dc3', AreaID: 'other', Coordinates: [{Node: 's3', Segment: '', Coord: c(3)}]},
    ]
    expect(wanPair(dcs, {node: 's1', dc: 'dc1'}, {node: 's2', dc: 'dc2'})).toEqual([c(1), c(2)])
    expect(wanPair(dcs, {node: 's1', dc: 'dc1'}, {node: 's3', dc: 'dc3'})).toEqual([undefined, undefined])
    expect(wanPair(dcs, {node: 's1', dc: 'dc2'}, {node: 's2', dc: 'dc2'})).toEqual([undefined, undefined])
  })
})
