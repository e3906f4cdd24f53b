import {describe, expect, it} from 'vitest'
import type {AgentContext} from '../../../src/agent/context.js'
import {createApp} from '../../../src/agent/http/app.js'
import {agentRoutes} from '../../../src/agent/http/routes.js'
import type {HttpRequest} from '../../../src/agent/http/types.js'

const req = (method: string, path: string): HttpRequest => ({method, path, query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0)})
// The root and UI handlers read only the config.
const appWith = (ui: boolean, uiContentPath = '/ui/', uiDir?: string) =>
  createApp(agentRoutes({ui, uiContentPath}), {config: {ui, uiContentPath, uiDir}} as unknown as AgentContext)

describe('root and UI routes', () => {
  it('redirects / to the UI when it is on, as Consul (301)', async () => {
    const r = await appWith(true, '/console/')(req('GET', '/'))
    expect([r.status, r.headers.location]).toEqual([301, '/console/'])
  })

  it('answers "Consul Agent" at / and 404 under /ui/ when the UI is off', async () => {
    const app = appWith(false)
    expect(await app(req('GET', '/'))).toMatchObject({status: 200, body: 'Consul Agent'})
    expect((await app(req('GET', '/ui/'))).status).toBe(404)
    expect((await app(req('GET', '/robots.txt'))).status).toBe(404)
  })

  it('keeps / exact: unknown paths stay 404', async () => {
    const app = appWith(true)
    expect((await app(req('GET', '/nope'))).status).toBe(404)
    expect((await app(req('GET', '/v1/nope'))).status).toBe(404)
  })

  it('adds the slash to the bare content path, refuses writes, and keeps robots out', async () => {
    const app = appWith(true, '/ui/', '/nonexistent-ui-dir')
    expect(await app(req('GET', '/ui'))).toMatchObject({status: 301, headers: {location: '/ui/'}})
    expect((await app(req('PUT', '/ui/x'))).status).toBe(405)
    expect(await app(req('GET', '/robots.txt'))).toMatchObject({status: 200, body: 'User-agent: *\nDisallow: /\n'})
  })
})
