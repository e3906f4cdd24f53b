import {describe, expect, it} from 'vitest'
import {StateStore, WatchSet, dump, restore, summarize, type NetworkCoordinate} from '../../../src/store/state/index.js'
import {addNode} from './helpers.js'

const coord = (x: number, extra: Partial<NetworkCoordinate> = {}): NetworkCoordinate => ({
  Vec: [x, 0, 0, 0, 0, 0, 0, 0],
  Error: 0.5,
  Adjustment: 0,
  Height: 10e-6,
  ...extra,
})

function twoNodes(): StateStore {
  const s = new StateStore()
  addNode(s, 1, 'n1')
  addNode(s, 2, 'n2')
  return s
}

describe('coordinates table', () => {
  it('upserts by node and segment, lists in node order, and moves its own index', () => {
    const s = twoNodes()
    expect(s.coordinates()).toEqual({index: 0, value: []})
    s.coordinateBatchUpdate(3, [
      {Node: 'n2', Segment: '', Coord: coord(0.002)},
      {Node: 'n1', Segment: '', Coord: coord(0.001)},
      {Node: 'n1', Segment: 'alpha', Coord: coord(0.009)},
    ])
    const r = s.coordinates()
    expect(r.index).toBe(3)
    expect(r.value.map((c) => [c.Node, c.Segment, c.Coord.Vec[0]])).toEqual([
      ['n1', '', 0.001],
      ['n1', 'alpha', 0.009],
      ['n2', '', 0.002],
    ])
    s.coordinateBatchUpdate(4, [{Node: 'N1', Segment: '', Coord: coord(0.004)}])
    expect(s.nodeCoordinates('n1').value.map((c) => c.Coord.Vec[0])).toEqual([0.004, 0.009])
    expect(s.coordinates().value).toHaveLength(3)
    expect(s.maxIndex('coordinates')).toBe(4)
    // Coordinates have their own index: the catalog's does not move.
    expect(s.maxIndex('nodes')).toBe(2)
  })

  it('drops entries for unknown nodes and invalid coordinates, yet moves the index', () => {
    const s = twoNodes()
    s.coordinateBatchUpdate(3, [
      {Node: 'ghost', Segment: '', Coord: coord(1)},
      {Node: 'n1', Segment: '', Coord: coord(NaN)},
      {Node: 'n2', Segment: '', Coord: coord(1, {Height: Infinity})},
      {Node: 'n2', Segment: '', Coord: null as unknown as NetworkCoordinate},
    ])
    expect(s.coordinates()).toEqual({index: 3, value: []})
  })

  it('stores a copy that callers cannot mutate', () => {
    const s = twoNodes()
    const c = coord(0.001)
    s.coordinateBatchUpdate(3, [{Node: 'n1', Segment: '', Coord: c}])
    c.Vec[0] = 42
    expect(s.nodeCoordinates('n1').value[0]!.Coord.Vec[0]).toBe(0.001)
    expect(Object.isFrozen(s.nodeCoordinates('n1').value[0]!.Coord)).toBe(true)
  })

  it('deletes a node\'s coordinates with the node', () => {
    const s = twoNodes()
    s.coordinateBatchUpdate(3, [
      {Node: 'n1', Segment: '', Coord: coord(0.001)},
      {Node: 'n2', Segment: '', Coord: coord(0.002)},
    ])
    s.deregister(4, {Node: 'n1'})
    expect(s.coordinates()).toEqual({index: 4, value: [expect.objectContaining({Node: 'n2'})]})
    expect(s.nodeCoordinates('n1').value).toEqual([])
    // Re-registering the node does not bring the old coordinate back.
    addNode(s, 5, 'n1')
    expect(s.nodeCoordinates('n1').value).toEqual([])
  })

  it('wakes watchers of the table and of the node', () => {
    const s = twoNodes()
    const all = new WatchSet()
    const one = new WatchSet()
    const other = new WatchSet()
    s.coordinates(all)
    s.nodeCoordinates('n1', one)
    s.nodeCoordinates('n2', other)
    const fired: string[] = []
    s.hub.wait(all, () => fired.push('all'))
    s.hub.wait(one, () => fired.push('n1'))
    s.hub.wait(other, () => fired.push('n2'))
    s.coordinateBatchUpdate(3, [{Node: 'n1', Segment: '', Coord: coord(0.001)}])
    expect(fired.sort()).toEqual(['all', 'n1'])
  })

  it('rolls back with the write it belongs to', () => {
    const s = twoNodes()
    expect(() =>
      s.write(() => {
        s.coordinateBatchUpdate(3, [{Node: 'n1', Segment: '', Coord: coord(0.001)}])
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(s.coordinates()).toEqual({index: 0, value: []})
  })

  it('survives dump and restore, and is counted as CoordinateBatchUpdate records', () => {
    const s = twoNodes()
    s.coordinateBatchUpdate(3, [
      {Node: 'n1', Segment: '', Coord: coord(0.001)},
      {Node: 'n2', Segment: '', Coord: coord(0.002)},
    ])
    const bytes = dump(s)
    const r = restore(bytes)
    expect(r.coordinates()).toEqual(s.coordinates())
    expect(dump(r)).toEqual(bytes)
    const counts = Object.fromEntries(summarize(bytes).types.map((t) => [t.type, t.count]))
    expect(counts.CoordinateBatchUpdate).toBe(2)
    // The node index survives too, so deleting a restored node still drops its coordinate.
    r.deregister(4, {Node: 'n1'})
    expect(r.coordinates().value.map((c) => c.Node)).toEqual(['n2'])
  })

  it('restores a dump written before coordinates were stored', () => {
    const s = twoNodes()
    const bytes = dump(s)
    const text = new TextDecoder().decode(bytes.subarray(7)).replace(/,"coordinates":\[\]/, '')
    expect(text).not.toContain('coordinates')
    const old = new Uint8Array([...bytes.subarray(0, 7), ...new TextEncoder().encode(text)])
    expect(restore(old).coordinates()).toEqual({index: 0, value: []})
  })
})
