import type {AgentContext} from '../../context.js'
import {UserEventError, eventIndex} from '../../gossip/user-events.js'
import {EndpointError} from '../../server/endpoints/errors.js'
import {HttpError} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {checkDatacenter} from './catalog.js'

/** PUT /v1/event/fire/<name>[?node][&service][&tag]: the body is the payload; a server broadcasts it. */
export async function fire(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  checkDatacenter(req, ctx)
  if (!p.rest) throw new HttpError(400, 'Missing name')
  try {
    const ev = await ctx.gossip.fireEvent({
      name: p.rest,
      payload: new Uint8Array(req.body),
      nodeFilter: req.query.get('node') ?? '',
      serviceFilter: req.query.get('service') ?? '',
      tagFilter: req.query.get('tag') ?? '',
    })
    return {json: ev}
  } catch (e) {
    if (e instanceof UserEventError) throw new HttpError(400, e.message)
    // Sent through a server (Internal.EventFire): its errors answer as that endpoint's.
    if (e instanceof EndpointError) throw e
    throw new HttpError(500, (e as Error).message)
  }
}

/**
 * GET /v1/event/list[?name][&index][&wait]: the events this agent has seen, oldest
 * first. The index is derived from the last event's ID (not Raft), so a blocking
 * query returns when a newer event arrives.
 */
export async function list(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = req.query.get('name') ?? undefined
  const opts = ctx.queryOptions(req)
  const idx = () => {
    const l = ctx.gossip.events.list(name)
    // Consul answers 1 for an empty list, so a blocking client never spins on 0.
    return l.length ? eventIndex(l[l.length - 1].ID) : '1'
  }
  const want = req.query.get('index')
  if (want && want !== '0') {
    const deadline = ctx.env.clock.nowMs() + opts.waitMs
    while (idx() === want) {
      const left = deadline - ctx.env.clock.nowMs()
      if (left <= 0 || req.signal?.aborted) break
      await ctx.gossip.events.wait(left)
    }
  }
  return {json: ctx.gossip.events.list(name), headers: {'x-consul-index': idx()}}
}
