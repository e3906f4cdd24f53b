import {describe, expect, it} from 'vitest'

// Plain browser JavaScript; outside a browser BASE is '/ui/' (no <base href> to read).
const router: any = await import('../../../src/agent/ui/web/router.js' as string)
const {parseRoute, to} = router

describe('UI URL scheme (Consul-style, bookmarkable)', () => {
  it('parses the pages of a datacenter', () => {
    expect(parseRoute('/ui/')).toEqual({page: 'root'})
    expect(parseRoute('/ui/dc1/services')).toEqual({page: 'services', dc: 'dc1'})
    expect(parseRoute('/ui/dc1')).toEqual({page: 'services', dc: 'dc1'})
    expect(parseRoute('/ui/dc1/services/web')).toEqual({page: 'service', dc: 'dc1', name: 'web'})
    // Consul's deeper service tabs land on the same page.
    expect(parseRoute('/ui/dc1/services/web/instances')).toEqual({page: 'service', dc: 'dc1', name: 'web'})
    expect(parseRoute('/ui/dc1/nodes/node-1')).toEqual({page: 'node', dc: 'dc1', name: 'node-1'})
    expect(parseRoute('/ui/dc1/cluster')).toEqual({page: 'cluster', dc: 'dc1'})
    expect(parseRoute('/ui/dc1/acls')).toEqual({page: 'not-found', dc: 'dc1'})
  })

  it('parses KV folders, keys and create pages', () => {
    expect(parseRoute('/ui/dc1/kv')).toEqual({page: 'kv', dc: 'dc1', prefix: ''})
    expect(parseRoute('/ui/dc1/kv/')).toEqual({page: 'kv', dc: 'dc1', prefix: ''})
    expect(parseRoute('/ui/dc1/kv/app/db/')).toEqual({page: 'kv', dc: 'dc1', prefix: 'app/db/'})
    expect(parseRoute('/ui/dc1/kv/app/db/edit')).toEqual({page: 'kv-edit', dc: 'dc1', key: 'app/db'})
    expect(parseRoute('/ui/dc1/kv/create')).toEqual({page: 'kv-create', dc: 'dc1', prefix: ''})
    expect(parseRoute('/ui/dc1/kv/app/create')).toEqual({page: 'kv-create', dc: 'dc1', prefix: 'app/'})
    // A key literally named "edit", and a folder key ("a/") opened for editing.
    expect(parseRoute('/ui/dc1/kv/edit/edit')).toEqual({page: 'kv-edit', dc: 'dc1', key: 'edit'})
    expect(parseRoute('/ui/dc1/kv/a//edit')).toEqual({page: 'kv-edit', dc: 'dc1', key: 'a/'})
  })

  it('builds URLs that parse back to the same page, odd names included', () => {
    const names = ['web', 'a b', 'x?y#z', 'ü%25', 'node.example.com']
    for (const n of names) {
      expect(parseRoute(new URL(to.service('dc1', n), 'http://h').pathname)).toEqual({page: 'service', dc: 'dc1', name: n})
      expect(parseRoute(new URL(to.node('dc1', n), 'http://h').pathname)).toEqual({page: 'node', dc: 'dc1', name: n})
    }
    for (const key of ['app/config.json', 'a b/c?d', 'deep/er/key', 'x%2Fy']) {
      expect(parseRoute(new URL(to.kvEdit('dc1', key), 'http://h').pathname)).toEqual({page: 'kv-edit', dc: 'dc1', key})
    }
    expect(parseRoute(new URL(to.kv('dc1', 'app/sub/'), 'http://h').pathname)).toEqual({page: 'kv', dc: 'dc1', prefix: 'app/sub/'})
    expect(parseRoute(new URL(to.kvCreate('dc1', 'app/'), 'http://h').pathname)).toEqual({page: 'kv-create', dc: 'dc1', prefix: 'app/'})
  })
})
