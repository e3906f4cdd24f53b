import {decode, encode, str, bytes, uint} from './codec.js'
import type {Env} from '../env/types.js'

/** Consul fires user events as Serf events named with this prefix. */
export const USER_EVENT_PREFIX = 'consul:event:'
const MAX_VERSION = 1
const BUFFER = 256

/** Consul's UserEvent as /v1/event/fire and /v1/event/list render it. */
export interface UserEvent {
  ID: string
  Name: string
  Payload: string | null
  NodeFilter: string
  ServiceFilter: string
  TagFilter: string
  Version: number
  LTime: number
}

export interface FireParams {
  name: string
  payload: Uint8Array
  nodeFilter: string
  serviceFilter: string
  tagFilter: string
}

export class UserEventError extends Error {}

/** Consul's checks before an event is sent (validateUserEventParams). */
export function validateFire(p: FireParams): void {
  if (!p.name) throw new UserEventError('User event missing name')
  if (p.tagFilter && !p.serviceFilter) throw new UserEventError('Cannot provide tag filter without service filter')
  for (const [what, re] of [['node', p.nodeFilter], ['service', p.serviceFilter], ['tag', p.tagFilter]] as const) {
    if (!re) continue
    try {
      new RegExp(re)
    } catch (e) {
      throw new UserEventError(`Invalid ${what} filter: ${(e as Error).message}`)
    }
  }
}

/** The Serf payload: msgpack with Consul's short field names (ID, n, p, nf, sf, tf, v). */
export function encodeUserEvent(id: string, p: FireParams): Uint8Array {
  return encode({
    ID: id,
    n: p.name,
    ...(p.payload.length ? {p: p.payload} : {}),
    ...(p.nodeFilter ? {nf: p.nodeFilter} : {}),
    ...(p.serviceFilter ? {sf: p.serviceFilter} : {}),
    ...(p.tagFilter ? {tf: p.tagFilter} : {}),
    v: MAX_VERSION,
  })
}

export function decodeUserEvent(buf: Uint8Array, ltime: number): UserEvent {
  const m = decode(buf)
  const payload = bytes(m.p)
  return {
    ID: str(m.ID),
    Name: str(m.n),
    Payload: payload.length ? Buffer.from(payload).toString('base64') : null,
    NodeFilter: str(m.nf),
    ServiceFilter: str(m.sf),
    TagFilter: str(m.tf),
    Version: uint(m.v),
    LTime: ltime,
  }
}

/** X-Consul-Index of an event list: the last event's UUID folded into 64 bits, as Consul does. */
export function eventIndex(id: string): string {
  const hex = id.replace(/-/g, '')
  if (!/^[0-9a-f]{32}$/i.test(hex)) return '0'
  return (BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`)).toString()
}

/**
 * The agent's recent user events: a ring of the last 256 it accepted (after its node,
 * service and tag filters), and waiters for blocking /v1/event/list queries.
 */
export class UserEventBuffer {
  private ring: UserEvent[] = []
  private waiters = new Set<() => void>()

  constructor(private readonly env: Env) {}

  add(e: UserEvent): void {
    this.ring.push(e)
    if (this.ring.length > BUFFER) this.ring.shift()
    const w = [...this.waiters]
    this.waiters.clear()
    for (const f of w) f()
  }

  list(name?: string): UserEvent[] {
    return name ? this.ring.filter((e) => e.Name === name) : [...this.ring]
  }

  /** Resolves when an event arrives or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        t.cancel()
        this.waiters.delete(done)
        resolve()
      }
      const t = this.env.timers.after(ms, done)
      this.waiters.add(done)
    })
  }
}

/** Whether this agent should take an event: its node name and local services against the filters. */
export function acceptsEvent(e: UserEvent, nodeName: string, services: {Service: string; Tags: string[]}[]): boolean {
  if (e.Version > MAX_VERSION) return false
  if (e.NodeFilter && !matches(e.NodeFilter, nodeName)) return false
  if (e.ServiceFilter) {
    const svc = services.filter((s) => matches(e.ServiceFilter, s.Service))
    if (svc.length === 0) return false
    if (e.TagFilter && !svc.some((s) => s.Tags.some((t) => matches(e.TagFilter, t)))) return false
  }
  return true
}

function matches(re: string, s: string): boolean {
  try {
    return new RegExp(re).test(s)
  } catch {
    return false
  }
}
