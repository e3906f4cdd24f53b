import {describe, expect, it} from 'vitest'
import {Bootstrapper, bootstrapDecision} from '../../../src/agent/server/bootstrap.js'
import type {ServerInfo} from '../../../src/agent/server/servers.js'
import {memoryLogger, VirtualTime} from '../raft-node/helpers.js'

const server = (n: number, extra: Partial<ServerInfo> = {}): ServerInfo => ({
  name: `s${n}`, id: `id-${n}`, datacenter: 'dc1', addr: `127.0.0.${n}:8300`, status: 1, expect: 3, bootstrap: false, raftVersion: 3, version: '', raftProposals: true, ...extra,
})

describe('bootstrap_expect decision', () => {
  it('waits until expect servers are alive, then bootstraps all of them in a stable order', () => {
    expect(bootstrapDecision(3, [server(2), server(1)])).toEqual({kind: 'wait', have: 2})
    const d = bootstrapDecision(3, [server(3), server(1), server(2)])
    expect(d.kind).toBe('ready')
    expect(d.kind === 'ready' && d.servers.map((s) => s.id)).toEqual(['id-1', 'id-2', 'id-3'])
  })

  it('refuses with Consul\'s lines on a conflicting expect value or a server in bootstrap mode', () => {
    expect(bootstrapDecision(3, [server(1), server(2, {expect: 5}), server(3)])).toEqual({
      kind: 'refuse', message: 'Member s2 has a conflicting expect value. All nodes should expect the same number.',
    })
    expect(bootstrapDecision(3, [server(1), server(2, {bootstrap: true, expect: 0})])).toEqual({kind: 'refuse', message: 'Member s2 has bootstrap mode. Expect disabled.'})
  })
})

describe('Bootstrapper', () => {
  function setup(o: {peers?: Record<string, string[]>; hasState?: boolean; fail?: string} = {}) {
    const time = new VirtualTime()
    const lines: string[] = []
    const boots: string[][] = []
    let alive = [server(1), server(2)]
    const b = new Bootstrapper({
      env: time.env(1), log: memoryLogger(lines, 'bootstrap'), expect: 3,
      aliveServers: () => alive,
      hasState: () => o.hasState ?? false,
      peersOf: async (addr) => {
        if (addr === o.fail) throw new Error('connection refused')
        return o.peers?.[addr] ?? []
      },
      bootstrap: (voters) => {
        boots.push(voters.map((v) => v.id))
        return true
      },
    })
    return {b, lines, boots, setAlive: (a: ServerInfo[]) => (alive = a)}
  }

  it('bootstraps exactly once when the third server appears', async () => {
    const t = setup()
    await t.b.maybeBootstrap()
    expect(t.boots).toEqual([])
    t.setAlive([server(1), server(2), server(3)])
    await t.b.maybeBootstrap()
    await t.b.maybeBootstrap()
    expect(t.boots).toEqual([['id-1', 'id-2', 'id-3']])
    expect(t.b.finished).toBe(true)
  })

  it('never bootstraps a server that has Raft state', async () => {
    const t = setup({hasState: true})
    t.setAlive([server(1), server(2), server(3)])
    await t.b.maybeBootstrap()
    expect(t.boots).toEqual([])
    expect(t.lines.join('\n')).toContain('Raft data found, disabling bootstrap mode')
  })

  it('joins instead when another server already reports Raft peers', async () => {
    const t = setup({peers: {'127.0.0.2:8300': ['127.0.0.2:8300', '127.0.0.9:8300']}})
    t.setAlive([server(1), server(2), server(3)])
    await t.b.maybeBootstrap()
    expect(t.boots).toEqual([])
    expect(t.lines.join('\n')).toContain('Existing Raft peers reported by s2, disabling bootstrap mode')
    expect(t.b.finished).toBe(true)
  })

  it('retries later when a server cannot be asked for its peers', async () => {
    const t = setup({fail: '127.0.0.3:8300'})
    t.setAlive([server(1), server(2), server(3)])
    await t.b.maybeBootstrap()
    expect(t.boots).toEqual([])
    expect(t.b.finished).toBe(false)
    expect(t.lines.join('\n')).toContain('Failed to confirm peer status for s3')
  })
})
