import type {AgentContext} from '../../context.js'
import {BUILT_IN_UI_DIR, serveStatic, type StaticSite} from '../static-files.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'

/**
 * The built-in UI talks only to this agent's own API; the policy keeps injected
 * markup from loading or sending anything elsewhere. Custom -ui-dir assets get no
 * policy: their authors know what they load.
 */
const BUILT_IN_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

/** GET /: Consul redirects to the UI when it is on and answers "Consul Agent" otherwise. */
export function index(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  if (!ctx.config.ui) return {raw: 'Consul Agent'}
  return {status: 301, raw: '', headers: {location: ctx.config.uiContentPath}}
}

/** GET /robots.txt while the UI is on: keep crawlers out of an operator console (as Consul). */
export function robots(): Reply {
  return {raw: 'User-agent: *\nDisallow: /\n'}
}

/** GET/HEAD <content path>…: the UI's files, index.html for page routes. */
export async function ui(req: HttpRequest, params: RouteParams, ctx: AgentContext): Promise<Reply> {
  // "/ui" without its slash: relative asset URLs need the directory form.
  if (!req.path.endsWith('/') && params.rest === '') return {status: 301, raw: '', headers: {location: ctx.config.uiContentPath}}
  return serveStatic(site(ctx), {rest: params.rest, headers: req.headers})
}

function site(ctx: AgentContext): StaticSite {
  const {uiDir, uiContentPath} = ctx.config
  return uiDir
    ? {root: uiDir, contentPath: uiContentPath}
    : {root: BUILT_IN_UI_DIR, contentPath: uiContentPath, indexHeaders: {'content-security-policy': BUILT_IN_CSP}}
}
