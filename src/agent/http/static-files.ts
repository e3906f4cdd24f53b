import {createHash} from 'node:crypto'
import {readFile, realpath, stat} from 'node:fs/promises'
import {extname, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Reply} from './types.js'

/**
 * The built-in UI, as `npm run build` writes it (scripts/build-ui.mjs). This file sits
 * three levels below the package root both as src/agent/http/*.ts and as
 * dist/agent/http/*.js, so one relative URL finds it from either.
 */
export const BUILT_IN_UI_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url))

/** index.html carries this token where the app needs its own base path (<base href>). */
export const CONTENT_PATH_TOKEN = '__DC_UI_CONTENT_PATH__'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

export interface StaticSite {
  /** Absolute directory the files come from; nothing outside it is ever read. */
  root: string
  /** The URL prefix the site is mounted at, e.g. "/ui/" (substituted into index.html). */
  contentPath: string
  /** Extra headers for index.html (the built-in UI sends a Content-Security-Policy). */
  indexHeaders?: Record<string, string>
}

export interface StaticRequest {
  /** The decoded path below the mount point ("" for the mount point itself). */
  rest: string
  headers: Record<string, string | undefined>
}

const notFound = (): Reply => ({status: 404, raw: 'Not Found'})

/**
 * Answers one GET/HEAD below the mount point. A file that exists is sent with its
 * type and caching headers; any other path that is not under assets/ gets index.html,
 * so a reloaded bookmark (/ui/dc1/services/web) reaches the single-page app.
 * Anything that could step outside `root` (.., ., backslashes, NUL, symlinks out)
 * is a 404, never the index, so traversal probes learn nothing.
 */
export async function serveStatic(site: StaticSite, req: StaticRequest): Promise<Reply> {
  const segments = req.rest.split('/')
  if (segments.some(unsafeSegment)) return notFound()
  const relative = segments.filter((s) => s !== '').join('/')
  const root = await realRoot(site.root)
  if (!root) return {status: 503, raw: `UI assets not found in ${site.root} (for the built-in UI, run npm run build)`}
  const file = relative === '' ? undefined : await insideRoot(root, relative)
  if (file === null) return notFound()
  if (file) return sendFile(root, site, file, relative, req)
  // A miss under assets/ or for a file-like name (app.js, favicon.ico) is a real 404,
  // not a page route; names like "web.v1" or "node.example.com" still reach the app.
  if (relative.startsWith('assets/') || TYPES[extname(relative).toLowerCase()]) return notFound()
  const index = await insideRoot(root, 'index.html')
  if (!index) return notFound()
  return sendFile(root, site, index, 'index.html', req)
}

/**
 * A dot segment, a backslash or NUL, also once more percent-decoded: a double-encoded
 * probe (%252e%252e) would reach the index otherwise, and a 404 tells it nothing.
 */
function unsafeSegment(segment: string): boolean {
  let again = segment
  try {
    again = decodeURIComponent(segment)
  } catch {
    // Not valid percent-encoding: judged as it is.
  }
  return [segment, again].some((s) => s === '..' || s === '.' || /[\\/\0]/.test(s))
}

async function realRoot(dir: string): Promise<string | undefined> {
  try {
    return await realpath(dir)
  } catch {
    return undefined
  }
}

/**
 * The real path of root/relative when it is a regular file inside root; undefined
 * when there is no such file; null when it resolves outside root (a symlink out).
 */
async function insideRoot(root: string, relative: string): Promise<string | undefined | null> {
  const candidate = resolve(root, relative)
  if (!candidate.startsWith(root + sep)) return null
  try {
    const real = await realpath(candidate)
    if (!real.startsWith(root + sep)) return null
    return (await stat(real)).isFile() ? real : undefined
  } catch {
    return undefined
  }
}

async function sendFile(root: string, site: StaticSite, file: string, relative: string, req: StaticRequest): Promise<Reply> {
  const isIndex = relative === 'index.html'
  // Bundles are named by content hash (assets/app-3F2A1B.js): safe to cache for a year.
  // Everything else (index.html above all) must be revalidated so a new build shows up.
  const immutable = relative.startsWith('assets/') && /-[A-Za-z0-9]{8,}\.\w+$/.test(relative)
  const headers: Record<string, string> = {
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    vary: 'Accept-Encoding',
    ...(isIndex ? {'x-frame-options': 'DENY', ...site.indexHeaders} : {}),
  }
  const contentType = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
  let body: Buffer
  if (isIndex) {
    body = Buffer.from((await readFile(file, 'utf8')).replaceAll(CONTENT_PATH_TOKEN, site.contentPath))
  } else {
    // build-ui writes a .gz beside each bundle; sent as-is to clients that accept gzip.
    const gzFile = acceptsGzip(req.headers['accept-encoding']) ? await insideRoot(root, relative + '.gz') : undefined
    const gz = gzFile ? await readFile(gzFile) : undefined
    if (gz) headers['content-encoding'] = 'gzip'
    body = gz ?? (await readFile(file))
  }
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`
  headers.etag = etag
  if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    return {status: 304, raw: '', contentType, headers}
  }
  return {status: 200, raw: body, contentType, headers}
}

function acceptsGzip(header: string | undefined): boolean {
  return !!header && header.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';')
    return coding.trim().toLowerCase() === 'gzip' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))
  })
}
