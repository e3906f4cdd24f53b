import {describe, expect, it} from 'vitest'
import type {CatalogNode, RaftConfiguration} from '../../../src/api/client.js'
import {mapToKV, nodeRows, serviceLines} from '../../../src/cli/format/catalog.js'
import {infoLines} from '../../../src/cli/format/info.js'
import {maintenanceEntries, maintenanceLines} from '../../../src/cli/format/maint.js'
import {peerRows} from '../../../src/cli/format/raft.js'
import {rfc3339, versionLines} from '../../../src/cli/format/version.js'

const node: CatalogNode = {
  ID: '2b9f0c8a-1111-2222-3333-444455556666', Node: 'web-1', Address: '10.0.0.5', Datacenter: 'dc1',
  TaggedAddresses: {wan: '1.2.3.4', lan: '10.0.0.5'}, Meta: {rack: 'r1'}, CreateIndex: 5, ModifyIndex: 6,
}

describe('catalog formatting', () => {
  it('shortens node IDs to the first group unless -detailed', () => {
    expect(nodeRows([node], false)).toEqual([['Node', 'ID', 'Address', 'DC'], ['web-1', '2b9f0c8a', '10.0.0.5', 'dc1']])
    expect(nodeRows([node], true)[1]).toEqual(['web-1', node.ID, '10.0.0.5', 'dc1', 'lan=10.0.0.5, wan=1.2.3.4', 'rack=r1'])
  })

  it('mapToKV sorts keys and tolerates null', () => {
    expect(mapToKV({b: '2', a: '1'}, ',')).toBe('a=1,b=2')
    expect(mapToKV(null, ',')).toBe('')
  })

  it('lists service names sorted, or with sorted tags aligned like tabwriter', () => {
    const svcs = {web: ['v2', 'primary'], consul: [], db: null}
    expect(serviceLines(svcs, false)).toBe('consul\ndb\nweb')
    expect(serviceLines(svcs, true)).toBe('consul      \ndb          \nweb         primary,v2')
  })
})

describe('raft list-peers rows', () => {
  const cfg: RaftConfiguration = {
    Index: 10,
    Servers: [
      {ID: 'id-1', Node: 's1', Address: '10.0.0.1:8300', Leader: true, ProtocolVersion: '3', Voter: true},
      {ID: 'id-2', Node: 's2', Address: '10.0.0.2:8300', Leader: false, ProtocolVersion: '', Voter: false},
    ],
  }

  it('six columns without autopilot health; empty protocol shows <=1', () => {
    expect(peerRows(cfg)).toEqual([
      ['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol'],
      ['s1', 'id-1', '10.0.0.1:8300', 'leader', 'true', '3'],
      ['s2', 'id-2', '10.0.0.2:8300', 'follower', 'false', '<=1'],
    ])
  })

  it('adds Commit Index and Trails Leader By from autopilot health', () => {
    const h = (ID: string, LastIndex: number) => ({ID, Name: ID, Address: '', SerfStatus: 'alive', Version: '', Leader: false, LastContact: '', LastTerm: 1, LastIndex, Healthy: true, Voter: true, StableSince: ''})
    const rows = peerRows(cfg, {Healthy: true, FailureTolerance: 0, Servers: [h('id-1', 100), h('id-2', 88)]})
    expect(rows[0].slice(6)).toEqual(['Commit Index', 'Trails Leader By'])
    expect(rows[1].slice(6)).toEqual(['100', '_'])
    expect(rows[2].slice(6)).toEqual(['88', '12 Commits'])
    const one = peerRows(cfg, {Healthy: true, FailureTolerance: 0, Servers: [h('id-1', 100), h('id-2', 99)]})
    expect(one[2][7]).toBe('1 Commit')
  })
})

describe('info, maint, version', () => {
  it('info prints sorted sections of tab-indented key = value', () => {
    expect(infoLines({raft: {state: 'Leader', applied_index: '9'}, agent: {checks: '0'}})).toEqual([
      'agent:', '\tchecks = 0', 'raft:', '\tapplied_index = 9', '\tstate = Leader',
    ])
  })

  it('maint lists node and service maintenance like Consul', () => {
    const check = (CheckID: string, ServiceID: string, Notes: string) => ({
      Node: 'n1', CheckID, Name: CheckID, Status: 'critical', Notes, Output: '', ServiceID, ServiceName: '', ServiceTags: [], Type: '',
    })
    const entries = maintenanceEntries(
      {'_service_maintenance:web': check('_service_maintenance:web', 'web', 'deploy'), _node_maintenance: check('_node_maintenance', '', 'kernel'), serfHealth: check('serfHealth', '', '')},
      'n1',
    )
    expect(maintenanceLines(entries)).toEqual(['Node:', '  Name:   n1', '  Reason: kernel', '', 'Service:', '  ID:     web', '  Reason: deploy', ''])
  })

  it('version lines match Consul\'s layout', () => {
    expect(versionLines({Version: '0.1.0', Revision: 'abc12345', Prerelease: '', BuildDate: '2024-01-02T03:04:05Z', RPC: {Default: 2, Min: 2, Max: 3}})).toEqual([
      'dc v0.1.0',
      'Revision abc12345',
      'Build Date 2024-01-02T03:04:05Z',
      'Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)',
    ])
    expect(versionLines({Version: '0.1.0', Revision: '', Prerelease: 'dev', BuildDate: 'x', RPC: {Default: 3, Min: 2, Max: 3}})).toEqual([
      'dc v0.1.0-dev', 'Build Date x', 'Protocol 3 spoken by default, understands 2 to 3',
    ])
    expect(rfc3339(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe('2024-01-02T03:04:05Z')
  })
})
