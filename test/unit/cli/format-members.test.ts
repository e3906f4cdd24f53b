import {describe, expect, it} from 'vitest'
import type {AgentMember} from '../../../src/api/client.js'
import {hostPort, memberRows, memberStatus, selectMembers} from '../../../src/cli/format/members.js'
import {columnize} from '../../../src/cli/render.js'

function member(name: string, status: number, tags: Record<string, string>, addr = '127.0.0.1', port = 8301): AgentMember {
  return {
    Name: name, Addr: addr, Port: port, Tags: tags, Status: status,
    ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  }
}

const server = (name: string, status = 1, addr = '10.0.0.1') => member(name, status, {role: 'consul', dc: 'dc1', vsn: '2', build: '0.1.0:abc123'}, addr)
const client = (name: string, status = 1, addr = '10.0.0.9') => member(name, status, {role: 'node', dc: 'dc1', vsn: '2', build: '0.1.0'}, addr)

describe('members formatting', () => {
  it('maps serf status ints to words', () => {
    expect([0, 1, 2, 3, 4].map(memberStatus)).toEqual(['none', 'alive', 'leaving', 'left', 'failed'])
  })

  it('brackets IPv6 addresses like net.JoinHostPort', () => {
    expect(hostPort('::1', 8301)).toBe('[::1]:8301')
    expect(hostPort('10.0.0.1', 8301)).toBe('10.0.0.1:8301')
  })

  it('lists servers first, then by name, and filters by status regexp', () => {
    const all = [client('c-a'), server('s-b', 4), server('s-a'), client('b-client', 3)]
    expect(selectMembers(all, /.*/).map((s) => s.member.Name)).toEqual(['s-a', 's-b', 'b-client', 'c-a'])
    expect(selectMembers(all, /alive/).map((s) => s.member.Name)).toEqual(['s-a', 'c-a'])
    expect(selectMembers(all, /^le/).map((s) => s.member.Name)).toEqual(['b-client'])
    expect(selectMembers(all, /leaving/)).toEqual([])
  })

  it('renders Consul columns; build is cut at ":"; segments <all>/<default>', () => {
    const rows = memberRows(selectMembers([client('web-1'), server('srv-1')], /.*/), false)
    expect(rows).toEqual([
      ['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'],
      ['srv-1', '10.0.0.1:8301', 'alive', 'server', '0.1.0', '2', 'dc1', 'default', '<all>'],
      ['web-1', '10.0.0.9:8301', 'alive', 'client', '0.1.0', '2', 'dc1', 'default', '<default>'],
    ])
  })

  it('unknown roles get empty trailing columns', () => {
    const rows = memberRows(selectMembers([member('x', 1, {})], /.*/), false)
    expect(rows[1]).toEqual(['x', '127.0.0.1:8301', 'alive', 'unknown', '', '', '', '', ''])
  })

  it('-detailed prints sorted k=v tags (including the defaults Consul fills in)', () => {
    const rows = memberRows(selectMembers([server('srv-1')], /.*/), true)
    expect(rows[0]).toEqual(['Node', 'Address', 'Status', 'Tags'])
    expect(rows[1][3]).toBe('ap=default,build=0.1.0:abc123,dc=dc1,role=consul,segment=<all>,vsn=2')
  })

  it("works with `awk '/alive/{print $2}'`", () => {
    const text = columnize(memberRows(selectMembers([server('srv-1'), client('web-1', 4, '10.0.0.7'), client('web-2', 1, '10.0.0.8')], /.*/), false))
    const alive = text.split('\n').filter((l) => /alive/.test(l)).map((l) => l.trim().split(/\s+/)[1])
    expect(alive).toEqual(['10.0.0.1:8301', '10.0.0.8:8301'])
  })
})
