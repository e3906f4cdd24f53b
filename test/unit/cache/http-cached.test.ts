/**
 * ?cached through the real route table and handlers (no sockets): X-Cache and Age,
 * blocking queries served from the cache, Consul's errors for conflicting options and a
 * bad Cache-Control header, and the parts of the request that make separate entries.
 */
import {afterEach, describe, expect, it} from 'vitest'
import {appHarness, type AppHarness} from '../registry/app-harness.js'
import {parseCacheControl} from '../../../src/agent/http/query-options.js'
import {requestKey} from '../../../src/agent/cache/rpc-cache.js'
import {TokenBucket} from '../../../src/agent/client/rate-limit.js'

let h: AppHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const web = (id: string, port: number, tags: string[] = []) => ({type: 'register' as const, req: {Node: 'node1', Address: '127.0.0.1', SkipNodeUpdate: true, Service: {ID: id, Service: 'web', Port: port, Tags: tags}}})

describe('?cached over HTTP', () => {
  it('health service: MISS, then HIT with Age 0 while the background refresh is connected', async () => {
    h = await appHarness()
    h.raw(web('web-1', 80))
    const miss = await h.call('GET', '/v1/health/service/web', {query: 'cached'})
    expect(miss.status).toBe(200)
    expect(miss.headers['x-cache']).toBe('MISS')
    expect(miss.headers.age).toBeUndefined()
    expect(miss.json.map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-1'])
    const hit = await h.call('GET', '/v1/health/service/web', {query: 'cached'})
    expect(hit.headers['x-cache']).toBe('HIT')
    expect(hit.headers.age).toBe('0')
    expect(hit.headers['x-consul-index']).toBe(miss.headers['x-consul-index'])
    // Without ?cached nothing says cache.
    expect((await h.call('GET', '/v1/health/service/web')).headers['x-cache']).toBeUndefined()
  })

  it('a blocking ?cached&index query wakes on a write, answered from the refreshed entry', async () => {
    h = await appHarness()
    h.raw(web('web-1', 80))
    const first = await h.call('GET', '/v1/catalog/service/web', {query: 'cached'})
    const index = first.headers['x-consul-index']
    const blocked = h.call('GET', '/v1/catalog/service/web', {query: `cached&index=${index}&wait=10s`})
    h.raw(web('web-2', 81))
    const woke = await blocked
    expect(Number(woke.headers['x-consul-index'])).toBeGreaterThan(Number(index))
    expect(woke.json.map((s: {ServiceID: string}) => s.ServiceID).sort()).toEqual(['web-1', 'web-2'])
    // A later plain ?cached read is a hit with the new data: the refresh picked it up.
    const hit = await h.call('GET', '/v1/catalog/service/web', {query: 'cached'})
    expect(hit.headers['x-cache']).toBe('HIT')
    expect(hit.json).toHaveLength(2)
  })

  it('filters, tags and node-meta make their own entries; the services list is cached too', async () => {
    h = await appHarness()
    h.raw(web('web-1', 80, ['a']))
    h.raw(web('web-2', 81, ['b']))
    const a = await h.call('GET', '/v1/catalog/service/web', {query: 'cached&tag=a'})
    const b = await h.call('GET', '/v1/catalog/service/web', {query: 'cached&tag=b'})
    expect([a.headers['x-cache'], b.headers['x-cache']]).toEqual(['MISS', 'MISS'])
    expect(a.json.map((s: {ServiceID: string}) => s.ServiceID)).toEqual(['web-1'])
    expect(b.json.map((s: {ServiceID: string}) => s.ServiceID)).toEqual(['web-2'])
    const s1 = await h.call('GET', '/v1/catalog/services', {query: 'cached'})
    const s2 = await h.call('GET', '/v1/catalog/services', {query: 'cached'})
    expect([s1.headers['x-cache'], s2.headers['x-cache']]).toEqual(['MISS', 'HIT'])
    expect(s2.json.web.sort()).toEqual(['a', 'b'])
    const f = await h.call('GET', '/v1/catalog/services', {query: `cached&filter=${encodeURIComponent('ServiceTags contains "a"')}`})
    expect(f.headers['x-cache']).toBe('MISS')
    expect(f.json).toEqual({web: ['a']})
  })

  it('catalog datacenters: simple caching, Age since the fetch, max-age=0 re-fetches', async () => {
    h = await appHarness()
    const miss = await h.call('GET', '/v1/catalog/datacenters', {query: 'cached'})
    expect(miss.headers['x-cache']).toBe('MISS')
    expect(miss.json).toEqual(['dc1'])
    const hit = await h.call('GET', '/v1/catalog/datacenters', {query: 'cached'})
    expect(hit.headers['x-cache']).toBe('HIT')
    expect(hit.headers.age).toBe('0')
    const again = await h.call('GET', '/v1/catalog/datacenters', {query: 'cached', headers: {'cache-control': 'max-age=0'}})
    expect(again.headers['x-cache']).toBe('MISS')
    const mr = await h.call('GET', '/v1/catalog/datacenters', {query: 'cached', headers: {'cache-control': 'must-revalidate'}})
    expect(mr.headers['x-cache']).toBe('MISS')
  })

  it("Consul's errors: ?cached with ?consistent, a malformed Cache-Control", async () => {
    h = await appHarness()
    const both = await h.call('GET', '/v1/health/service/web', {query: 'cached&consistent'})
    expect(both.status).toBe(400)
    expect(both.text).toBe('Cannot specify ?cached with ?consistent, conflicting semantics.')
    const bad = await h.call('GET', '/v1/catalog/services', {query: 'cached', headers: {'cache-control': 'max-age=soon'}})
    expect(bad.status).toBe(400)
    expect(bad.text).toBe('Invalid Cache-Control header.')
  })
})

describe('pieces', () => {
  it('parses Cache-Control as Consul: max-age and stale-if-error in seconds, max-age=0 means must-revalidate', () => {
    expect(parseCacheControl(undefined)).toEqual({mustRevalidate: false})
    expect(parseCacheControl('max-age=30, stale-if-error=259200')).toEqual({mustRevalidate: false, maxAgeMs: 30_000, staleIfErrorMs: 259_200_000})
    expect(parseCacheControl('Max-Age=0')).toEqual({mustRevalidate: true, maxAgeMs: 0})
    expect(parseCacheControl('no-cache, must-revalidate')).toEqual({mustRevalidate: true})
    expect(() => parseCacheControl('stale-if-error=x')).toThrow('Invalid Cache-Control header.')
  })

  it('request keys ignore query options and field order', () => {
    expect(requestKey({ServiceName: 'web', MinQueryIndex: 5, AllowStale: true})).toBe(requestKey({AllowStale: false, ServiceName: 'web', MaxQueryTime: 1}))
    expect(requestKey({ServiceName: 'web', ServiceTags: ['a']})).not.toBe(requestKey({ServiceName: 'web', ServiceTags: ['b']}))
  })

  it('token bucket: a burst, then the rate', () => {
    let now = 0
    const b = new TokenBucket({nowMs: () => now, wallMs: () => now}, 10, 3)
    expect([b.allow(), b.allow(), b.allow(), b.allow()]).toEqual([true, true, true, false])
    now += 100
    expect([b.allow(), b.allow()]).toEqual([true, false])
    now += 10_000
    expect([b.allow(), b.allow(), b.allow(), b.allow()]).toEqual([true, true, true, false])
    expect(new TokenBucket({nowMs: () => 0, wallMs: () => 0}, Infinity, 0).allow()).toBe(true)
    // A reload: unlimited, then limited again from a full (new) burst.
    b.update(Infinity, 2)
    expect(Array.from({length: 10}, () => b.allow()).every(Boolean)).toBe(true)
    b.update(1, 2)
    expect([b.allow(), b.allow(), b.allow()]).toEqual([true, true, false])
  })
})
