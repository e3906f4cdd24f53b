import {request} from 'node:http'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, type RunningAgent} from '../../helpers/agent.js'

/** A request with the path sent byte for byte (fetch and URL would normalise the dots). */
function rawGet(agent: RunningAgent, path: string, headers: Record<string, string> = {}): Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: string}> {
  const [host, port] = agent.httpAddr.split(':')
  return new Promise((resolve, reject) => {
    const req = request({host, port: Number(port), path, method: 'GET', headers}, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

const TRAVERSALS = [
  '/ui/../../etc/passwd',
  '/ui/../../../../../../etc/passwd',
  '/ui/%2e%2e/%2e%2e/etc/passwd',
  '/ui/%2E%2E/%2E%2E/etc/passwd',
  '/ui/..%2f..%2f..%2fetc%2fpasswd',
  '/ui/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/ui/..%5c..%5cetc%5cpasswd',
  '/ui/%252e%252e/%252e%252e/etc/passwd',
  '/ui/assets/..%2f..%2f..%2fpackage.json',
  '/ui/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
  '/ui/..;/..;/etc/passwd'.replace(/;/g, '%00'),
]

describe('UI static serving over HTTP (built-in assets)', () => {
  let agent: RunningAgent
  beforeAll(async () => {
    agent = await startAgent({args: ['-ui']})
  })
  afterAll(async () => {
    await agent?.stop()
    agent?.cleanup()
  })

  it('answers 404 to path traversal in every spelling and never leaks a file', async () => {
    for (const path of TRAVERSALS) {
      const r = await rawGet(agent, path)
      expect(r.status, path).toBe(404)
      expect(r.body, path).not.toMatch(/root:|"name": "dc"/)
    }
  })

  it('sends index.html (no-cache, CSP) for app routes and hashed assets as immutable, gzip when asked', async () => {
    const page = await rawGet(agent, '/ui/dc1/kv/app/config/edit')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.body).toContain('<base href="/ui/" />')
    const js = /src="(assets\/app-[^"]+\.js)"/.exec(page.body)![1]
    const css = /href="(assets\/app-[^"]+\.css)"/.exec(page.body)![1]
    const asset = await rawGet(agent, `/ui/${js}`, {'accept-encoding': 'gzip'})
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(asset.headers['content-encoding']).toBe('gzip')
    expect((await rawGet(agent, `/ui/${css}`)).headers['content-type']).toBe('text/css; charset=utf-8')
    const again = await rawGet(agent, `/ui/${css}`, {'if-none-match': String((await rawGet(agent, `/ui/${css}`)).headers.etag)})
    expect(again.status).toBe(304)
  })

  it('redirects / and /ui to /ui/', async () => {
    expect(await rawGet(agent, '/')).toMatchObject({status: 301, headers: {location: '/ui/'}})
    expect(await rawGet(agent, '/ui')).toMatchObject({status: 301, headers: {location: '/ui/'}})
  })
})

describe('UI configuration', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dc-ui-dir-'))
    mkdirSync(join(dir, 'site'))
    writeFileSync(join(dir, 'site', 'index.html'), '<h1>custom at __DC_UI_CONTENT_PATH__</h1>')
    writeFileSync(join(dir, 'site', 'hello.txt'), 'hi')
    writeFileSync(join(dir, 'secret.txt'), 'outside')
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('serves -ui-dir assets at -ui-content-path', async () => {
    const agent = await startAgent({args: [`-ui-dir=${join(dir, 'site')}`, '-ui-content-path=/console/']})
    try {
      expect(await rawGet(agent, '/')).toMatchObject({status: 301, headers: {location: '/console/'}})
      expect(await rawGet(agent, '/console/')).toMatchObject({status: 200, body: '<h1>custom at /console/</h1>'})
      expect(await rawGet(agent, '/console/hello.txt')).toMatchObject({status: 200, body: 'hi', headers: {'content-type': 'text/plain; charset=utf-8'}})
      expect((await rawGet(agent, '/console/..%2fsecret.txt')).status).toBe(404)
      expect((await rawGet(agent, '/ui/')).status).toBe(404)
    } finally {
      await agent.stop()
      agent.cleanup()
    }
  })

  it('serves the built-in UI at a custom content path, assets included', async () => {
    const agent = await startAgent({args: ['-ui', '-ui-content-path=/ops/console']})
    try {
      const page = await rawGet(agent, '/ops/console/dc1/services')
      expect(page.status).toBe(200)
      expect(page.body).toContain('<base href="/ops/console/" />')
      const js = /src="(assets\/app-[^"]+\.js)"/.exec(page.body)![1]
      expect((await rawGet(agent, `/ops/console/${js}`)).status).toBe(200)
      expect((await rawGet(agent, '/ui/')).status).toBe(404)
    } finally {
      await agent.stop()
      agent.cleanup()
    }
  })

  it('is off without -ui outside -dev: / says "Consul Agent" and /ui/ is 404', async () => {
    const agent = await startAgent({})
    try {
      expect(await rawGet(agent, '/')).toMatchObject({status: 200, body: 'Consul Agent'})
      expect((await rawGet(agent, '/ui/')).status).toBe(404)
    } finally {
      await agent.stop()
      agent.cleanup()
    }
  })
})
