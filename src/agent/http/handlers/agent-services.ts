import {createHash} from 'node:crypto'
import type {CheckStatus} from '../../checks/index.js'
import type {AgentContext} from '../../context.js'
import {agentServiceFilterView, aggregatedStatus, renderAgentService, renderHealthCheck} from '../../services/api-shapes.js'
import {Fields} from '../../services/fields.js'
import {DefinitionError, checkDefaults, parseCheckDefinition, parseServiceDefinition} from '../../services/index.js'
import type {HealthCheck, NodeService} from '../../../store/state/types.js'
import {HttpError, badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {applyFilter, guarded, requiredName} from './catalog.js'
import {parseJsonBody} from './json-body.js'

/**
 * /v1/agent/* endpoints for the agent's own services and checks. They answer from
 * the local state (no Raft, no X-Consul-Index) and, after a change, wait until
 * anti-entropy has offered it to the catalog, as Consul's handlers do.
 */

function parseBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false
  return undefined
}

/** ?enable=true|false, required (Consul's maintenance endpoints). */
function enableParam(req: HttpRequest): boolean {
  if (!req.query.has('enable')) throw badRequest('Missing value for enable')
  const raw = req.query.get('enable') ?? ''
  const v = parseBool(raw)
  if (v === undefined) throw badRequest(`Invalid value for enable: ${JSON.stringify(raw)}`)
  return v
}

async function synced(ctx: AgentContext): Promise<Reply> {
  await ctx.local.syncChanges()
  return {}
}

/** Agent-local check rendering: ServiceTags is never null. */
function localCheck(c: HealthCheck) {
  return renderHealthCheck(c)
}

// ---- services ----------------------------------------------------------------------------

/** GET /v1/agent/services (?filter over api.AgentService fields). */
export async function services(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const dc = ctx.config.datacenter
  const kept = applyFilter(ctx.local.services(), req.query.get('filter') ?? undefined, (s) => agentServiceFilterView(s, dc))
  return {json: Object.fromEntries(kept.map((s) => [s.ID, renderAgentService(s, dc)]))}
}

function contentHash(view: unknown): string {
  return createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 16)
}

/**
 * GET /v1/agent/service/:id with Consul's hash blocking: the response carries
 * ContentHash (and X-Consul-ContentHash); `?hash=<h>` waits (up to ?wait) until the
 * service's rendering differs from h.
 */
export async function service(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'service ID')
  const dc = ctx.config.datacenter
  const render = () => {
    const s = ctx.local.service(id)
    if (!s) throw new HttpError(404, `unknown service ID: ${id}`)
    const view = renderAgentService(s, dc)
    const hash = contentHash(view)
    return {json: {...view, ContentHash: hash}, hash}
  }
  let r = render()
  const want = req.query.get('hash')
  if (want && want === r.hash) {
    const deadline = ctx.env.clock.nowMs() + ctx.queryOptions(req).waitMs
    while (r.hash === want && !req.signal?.aborted) {
      const remaining = deadline - ctx.env.clock.nowMs()
      if (remaining <= 0) break
      await waitForLocalChange(ctx, remaining, req.signal)
      r = render()
    }
  }
  return {json: r.json, headers: {'x-consul-contenthash': r.hash}}
}

function waitForLocalChange(ctx: AgentContext, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      off()
      timer.cancel()
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const off = ctx.local.onChange(done)
    const timer = ctx.env.timers.after(ms, done)
    signal?.addEventListener('abort', done)
  })
}

/** PUT /v1/agent/service/register (?replace-existing-checks): PascalCase or snake_case body. */
export async function serviceRegister(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const raw = parseJsonBody<unknown>(req.body)
  const values = req.query.getAll('replace-existing-checks')
  const replace = values.length > 0 && (values[0] === '' || values[0] === 'true')
  await guarded(() => ctx.local.addService(parseServiceDefinition(raw), {replaceExistingChecks: replace}))
  return synced(ctx)
}

/** PUT /v1/agent/service/deregister/:id */
export async function serviceDeregister(_req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'service ID')
  await guarded(() => ctx.local.removeService(id))
  return synced(ctx)
}

/** PUT /v1/agent/service/maintenance/:id?enable=true|false&reason= */
export async function serviceMaintenance(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'service ID')
  const enable = enableParam(req)
  await guarded(() => ctx.local.setServiceMaintenance(id, enable, req.query.get('reason') ?? ''))
  return synced(ctx)
}

/** PUT /v1/agent/maintenance?enable=true|false&reason= */
export async function nodeMaintenance(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const enable = enableParam(req)
  await guarded(() => ctx.local.setNodeMaintenance(enable, req.query.get('reason') ?? ''))
  return synced(ctx)
}

// ---- checks ------------------------------------------------------------------------------

/** GET /v1/agent/checks (?filter over HealthCheck fields). */
export async function checks(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const kept = applyFilter(ctx.local.checks().map(localCheck), req.query.get('filter') ?? undefined)
  return {json: Object.fromEntries(kept.map((c) => [c.CheckID, c]))}
}

/** PUT /v1/agent/check/register: a node-level check, or one attached to a local service (ServiceID). */
export async function checkRegister(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const raw = parseJsonBody<unknown>(req.body)
  await guarded(() => {
    const def = parseCheckDefinition(raw)
    if (!def) throw new DefinitionError('Missing check name', 'Name')
    ctx.local.addCheck(checkDefaults(def))
  })
  return synced(ctx)
}

/** PUT /v1/agent/check/deregister/:id */
export async function checkDeregister(_req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'check ID')
  await guarded(() => ctx.local.removeCheck(id))
  return synced(ctx)
}

async function ttlUpdate(ctx: AgentContext, id: string, status: CheckStatus, output: string): Promise<Reply> {
  await guarded(() => ctx.local.updateTtl(id, status, output))
  return synced(ctx)
}

/** PUT /v1/agent/check/pass/:id?note= */
export async function checkPass(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return ttlUpdate(ctx, requiredName(p, 'check ID'), 'passing', req.query.get('note') ?? '')
}

/** PUT /v1/agent/check/warn/:id?note= */
export async function checkWarn(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return ttlUpdate(ctx, requiredName(p, 'check ID'), 'warning', req.query.get('note') ?? '')
}

/** PUT /v1/agent/check/fail/:id?note= */
export async function checkFail(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return ttlUpdate(ctx, requiredName(p, 'check ID'), 'critical', req.query.get('note') ?? '')
}

/** PUT /v1/agent/check/update/:id with body {"Status": "...", "Output": "..."}. */
export async function checkUpdate(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'check ID')
  const raw = parseJsonBody<unknown>(req.body)
  const {status, output} = await guarded(() => {
    const f = Fields.of(raw, 'body', '')
    return {status: f.string('Status'), output: f.string('Output')}
  })
  if (status !== 'passing' && status !== 'warning' && status !== 'critical') throw badRequest(`Invalid check status: '${status}'`)
  return ttlUpdate(ctx, id, status, output)
}

// ---- aggregated local health --------------------------------------------------------------

/** 200 passing, 429 warning, 503 critical or maintenance (Consul's agentHealthService). */
function healthOf(ctx: AgentContext, s: NodeService) {
  const checksOf = [...ctx.local.checksOfService(s.ID), ...ctx.local.checks().filter((c) => c.ServiceID === '')]
  const status = aggregatedStatus(checksOf)
  const code = status === 'passing' ? 200 : status === 'warning' ? 429 : 503
  return {code, status, info: {AggregatedStatus: status, Service: renderAgentService(s, ctx.config.datacenter), Checks: checksOf.map(localCheck)}}
}

function wantsText(req: HttpRequest): boolean {
  if ((req.headers['accept'] ?? '').startsWith('text/plain')) return true
  const f = req.query.get('format')
  return f !== null && f !== '' ? f === 'text' : false
}

/** GET /v1/agent/health/service/id/:id (?format=text) */
export async function healthServiceById(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const id = requiredName(p, 'serviceID')
  const s = ctx.local.service(id)
  if (!s) {
    const reason = `ServiceId ${id} not found`
    if (wantsText(req)) return {status: 404, raw: reason}
    return {status: 404, json: {AggregatedStatus: 'critical', Service: null, Checks: null}}
  }
  const h = healthOf(ctx, s)
  if (wantsText(req)) return {status: h.code, raw: h.status}
  return {status: h.code, json: h.info}
}

/** GET /v1/agent/health/service/name/:name: every local instance; the worst status sets the code. */
export async function healthServiceByName(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service Name')
  let code = 404
  let status = `ServiceName ${name} Not Found`
  const out = []
  for (const s of ctx.local.servicesByName(name)) {
    const h = healthOf(ctx, s)
    out.push(h.info)
    if (code === 404 || code < h.code) {
      code = h.code
      status = h.status
    }
  }
  if (wantsText(req)) return {status: code, raw: status}
  return {status: code, json: out}
}
