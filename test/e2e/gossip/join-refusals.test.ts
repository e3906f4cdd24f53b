/** Who may join: serf_lan_allowed_cidrs (only the listed networks) and unique node names. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {ALIVE, dc, gossipAddr, members, startNode, waitStatus} from './helpers.js'

const agents: RunningAgent[] = []
let guarded: RunningAgent, friend: RunningAgent, stranger: RunningAgent

beforeAll(async () => {
  assertBuilt()
  ;[guarded, friend, stranger] = await Promise.all([
    startNode('cidr-a', '127.0.0.71', {args: ['-serf-lan-allowed-cidrs=127.0.0.72/32', '-serf-lan-allowed-cidrs=127.0.0.71/32']}),
    startNode('cidr-b', '127.0.0.72'),
    startNode('cidr-c', '127.0.0.73'),
  ])
  agents.push(guarded, friend, stranger)
})

afterAll(async () => {
  await Promise.all(agents.map((x) => x.kill()))
  agents.forEach((x) => x.cleanup())
})

describe('serf_lan_allowed_cidrs', () => {
  it('lets an allowed address join and keeps another out, counting what it refused', async () => {
    expect((await dc(friend, ['join', await gossipAddr(guarded)])).code).toBe(0)
    await waitStatus(guarded, 'cidr-b', ALIVE)
    const r = await dc(stranger, ['join', await gossipAddr(guarded)])
    expect(r.code).toBe(1)
    expect((await members(guarded)).some((m) => m.Name === 'cidr-c')).toBe(false)
    const self = (await (await fetch(`${guarded.url}/v1/agent/self`)).json()) as {Stats: {serf_lan: Record<string, string>}}
    expect(Number(self.Stats.serf_lan.streams_rejected)).toBeGreaterThan(0)
  })

  it('refuses a malformed CIDR at start with one line', async () => {
    await expect(startNode('cidr-x', '127.0.0.74', {args: ['-serf-lan-allowed-cidrs=10.0.0.0/99'], timeoutMs: 10_000})).rejects.toThrow(/invalid value for serf_lan_allowed_cidrs: "10\.0\.0\.0\/99" is not a CIDR/)
  })
})

describe('name conflicts', () => {
  it('refuses to join a second agent under a name the pool already has', async () => {
    const twin = await startNode('cidr-b', '127.0.0.75')
    agents.push(twin)
    const r = await dc(twin, ['join', await gossipAddr(friend)])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Member 'cidr-b' has conflicting address 127\.0\.0\.72:\d+ with 127\.0\.0\.75:\d+/)
    expect((await members(friend)).find((m) => m.Name === 'cidr-b')?.Addr).toBe('127.0.0.72')
  })
})

describe('datacenters', () => {
  it('refuses a Consul agent of another datacenter on the LAN pool', async () => {
    const other = await startNode('dc2-a', '127.0.0.76', {args: ['-datacenter=dc2']})
    agents.push(other)
    const r = await dc(other, ['join', await gossipAddr(friend)])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Member '[^']+' part of wrong datacenter 'dc1'/)
    expect((await members(friend)).some((m) => m.Name === 'dc2-a')).toBe(false)
  })

  it('refuses a WAN join aimed at a LAN port: neither pool takes the other\'s member', async () => {
    const other = await startNode('wan-lan', '127.0.0.77', {args: ['-datacenter=dc7']})
    agents.push(other)
    const r = await dc(other, ['join', '-wan', await gossipAddr(friend)])
    expect(r.code).not.toBe(0)
    expect((await members(other, true)).map((m) => m.Name)).toEqual(['wan-lan.dc7'])
    expect((await members(friend)).some((m) => m.Name.startsWith('wan-lan'))).toBe(false)
  })
})
