import {EndpointError} from './errors.js'
import {checkDc, type EndpointDeps} from './query.js'

/** What Internal.EventFire needs of the server: its LAN pool's user-event broadcast. */
export interface UserEventPort {
  /** Broadcasts `payload` (an encoded Consul UserEvent) as Serf event `consul:event:<name>`. */
  fire(name: string, payload: Uint8Array): void
}

/**
 * Internal.EventFire: every agent (client or server) sends its user events here, so a
 * server broadcasts them in its LAN pool, as Consul does (the agent encodes the event;
 * the server only names and sends it).
 */
export function internalEndpoints(d: EndpointDeps, events: UserEventPort | undefined) {
  return {
    'Internal.EventFire': async (r: {Datacenter?: string; Name: string; Payload: Uint8Array; AllowStale?: boolean}): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      if (!r || typeof r.Name !== 'string' || !r.Name) throw new EndpointError('bad-request', 'User event missing name')
      if (!events) throw new EndpointError('internal', 'user events are not available on this server')
      try {
        events.fire(r.Name, r.Payload instanceof Uint8Array ? r.Payload : new Uint8Array())
      } catch (e) {
        throw new EndpointError('internal', (e as Error).message)
      }
      return true
    },
  }
}
