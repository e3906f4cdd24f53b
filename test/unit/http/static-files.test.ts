import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CONTENT_PATH_TOKEN, serveStatic, type StaticSite} from '../../../src/agent/http/static-files.js'

let dir: string
let site: StaticSite
const get = (rest: string, headers: Record<string, string> = {}) => serveStatic(site, {rest, headers})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-static-'))
  const root = join(dir, 'site')
  mkdirSync(join(root, 'assets'), {recursive: true})
  writeFileSync(join(root, 'index.html'), `<base href="${CONTENT_PATH_TOKEN}"><p>app</p>`)
  writeFileSync(join(root, 'assets', 'app-ABCDEFGH.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'app-ABCDEFGH.js.gz'), gzipSync('console.log(1)'))
  writeFileSync(join(root, 'assets', 'app-ABCDEFGH.css'), 'body{}')
  writeFileSync(join(root, 'logo.svg'), '<svg/>')
  writeFileSync(join(dir, 'secret.txt'), 'outside the root')
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'))
  site = {root, contentPath: '/console/', indexHeaders: {'content-security-policy': "default-src 'self'"}}
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('static file server', () => {
  it('serves files with their type; hashed assets are immutable, others revalidate', async () => {
    const js = await get('assets/app-ABCDEFGH.js')
    expect([js.status, String(js.raw), js.contentType]).toEqual([200, 'console.log(1)', 'text/javascript; charset=utf-8'])
    expect(js.headers?.['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(js.headers?.['x-content-type-options']).toBe('nosniff')
    expect((await get('assets/app-ABCDEFGH.css')).contentType).toBe('text/css; charset=utf-8')
    const svg = await get('logo.svg')
    expect([svg.contentType, svg.headers?.['cache-control']]).toEqual(['image/svg+xml', 'no-cache'])
  })

  it('writes the content path into index.html and sends it for page routes (reloaded bookmarks)', async () => {
    for (const rest of ['', 'dc1/services/web', 'dc1/kv/app/config.json/edit', 'dc1/nodes/node.example.com']) {
      const r = await get(rest)
      expect([r.status, String(r.raw), r.contentType], rest).toEqual([200, '<base href="/console/"><p>app</p>', 'text/html; charset=utf-8'])
      expect(r.headers?.['cache-control']).toBe('no-cache')
      expect(r.headers?.['content-security-policy']).toBe("default-src 'self'")
    }
  })

  it('answers 404, not the index, for missing assets and file-like names', async () => {
    expect((await get('assets/app-MISSING1.js')).status).toBe(404)
    expect((await get('favicon.ico')).status).toBe(404)
    expect((await get('dc1/app.js')).status).toBe(404)
  })

  it('refuses traversal in every spelling, and symlinks that leave the root', async () => {
    // `rest` arrives percent-decoded (the HTTP server decodes the path once).
    for (const rest of ['../secret.txt', '../../etc/passwd', 'assets/../../secret.txt', './index.html', '..\\secret.txt', 'a/..', 'index.html\0.js', '..', '%2e%2e/secret.txt', '%2e%2e%2fsecret.txt', 'dc1/%2E%2E/x', '..%5csecret.txt']) {
      const r = await get(rest)
      expect(r.status, rest).toBe(404)
      expect(String(r.raw)).not.toContain('outside the root')
    }
    expect((await get('link.txt')).status).toBe(404)
  })

  it('sends the gzip copy only to clients that accept gzip', async () => {
    const gz = await get('assets/app-ABCDEFGH.js', {'accept-encoding': 'br, gzip;q=0.8'})
    expect(gz.headers?.['content-encoding']).toBe('gzip')
    expect(gz.headers?.vary).toBe('Accept-Encoding')
    expect(gz.raw).toEqual(gzipSync('console.log(1)'))
    expect((await get('assets/app-ABCDEFGH.js', {'accept-encoding': 'gzip;q=0'})).headers?.['content-encoding']).toBeUndefined()
    expect((await get('assets/app-ABCDEFGH.css', {'accept-encoding': 'gzip'})).headers?.['content-encoding']).toBeUndefined()
  })

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('logo.svg')
    const etag = first.headers!.etag
    expect(etag).toMatch(/^".+"$/)
    expect((await get('logo.svg', {'if-none-match': etag})).status).toBe(304)
    expect((await get('logo.svg', {'if-none-match': `W/${etag}`})).status).toBe(304)
    expect((await get('logo.svg', {'if-none-match': '"other"'})).status).toBe(200)
  })

  it('says the assets are missing (503) rather than serving nothing', async () => {
    const r = await serveStatic({root: join(dir, 'nope'), contentPath: '/ui/'}, {rest: '', headers: {}})
    expect(r.status).toBe(503)
    expect(String(r.raw)).toContain('npm run build')
  })
})
