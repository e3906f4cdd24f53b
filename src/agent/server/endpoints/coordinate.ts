import type {CoordinateEntry} from '../../../store/state/types.js'
import {asEndpointError} from './errors.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** The server's coordinate batch writer and its WAN view (server/coordinate-updates.ts, gossip). */
export interface CoordinatePort {
  update(e: CoordinateEntry): Promise<void> | void
  datacenters(): {Datacenter: string; AreaID: string; Coordinates: CoordinateEntry[]}[]
}

export function coordinateEndpoints(d: EndpointDeps, c: CoordinatePort) {
  return {
    'Coordinate.ListDatacenters': async () => c.datacenters(),
    'Coordinate.ListNodes': (r: QueryOptions, signal?: AbortSignal): Promise<Read<CoordinateEntry[]>> => query(d, r, (s, ws) => s.coordinates(ws), signal),
    'Coordinate.Node': (r: {Node: string} & QueryOptions, signal?: AbortSignal): Promise<Read<CoordinateEntry[]>> =>
      query(d, r, (s, ws) => s.nodeCoordinates(r.Node, ws), signal),
    /** Queued for the next batch write, as Consul's Coordinate.Update. */
    'Coordinate.Update': async (r: {Datacenter?: string} & CoordinateEntry): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      try {
        await c.update({Node: r.Node, Segment: r.Segment, Coord: r.Coord})
      } catch (e) {
        throw asEndpointError(e)
      }
      return true
    },
  }
}
