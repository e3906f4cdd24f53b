import type {RuntimeConfig} from './config/runtime.js'
import type {MemberInfo} from './context.js'
import {VERSION} from './version.js'

/**
 * The local agent as a gossip member (what /v1/agent/members shows). Until gossip
 * exists it is the only member; its tags are the ones Consul's servers carry.
 */
export function localMember(config: RuntimeConfig, nodeId: string, address: string, wan: boolean): MemberInfo {
  const serverPort = config.ports.server > 0 ? config.ports.server : 8300
  return {
    Name: wan ? `${config.nodeName}.${config.datacenter}` : config.nodeName,
    Addr: address,
    Port: wan ? (config.ports.serfWan > 0 ? config.ports.serfWan : 8302) : config.ports.serfLan > 0 ? config.ports.serfLan : 8301,
    Tags: {
      role: config.server ? 'consul' : 'node',
      dc: config.datacenter,
      segment: '',
      id: nodeId,
      vsn: '2',
      vsn_min: '2',
      vsn_max: '3',
      build: `${VERSION}:dc`,
      raft_vsn: '3',
      port: String(serverPort),
      ...(config.bootstrap ? {bootstrap: '1'} : {}),
      ...(config.bootstrapExpect ? {expect: String(config.bootstrapExpect)} : {}),
    },
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  }
}

/** What the agent accepts but cannot do yet, said in the log at start instead of failing. */
export function startupNotes(config: RuntimeConfig, addressNote?: string): string[] {
  const notes: string[] = []
  if (addressNote) notes.push(addressNote)
  if (config.bootstrapExpect > 1) notes.push(`bootstrap_expect = ${config.bootstrapExpect}: multi-server Raft over gossip is not implemented yet; this server will wait for peers that cannot arrive`)
  for (const [what, on] of [['LAN gossip', config.ports.serfLan], ['WAN gossip', config.ports.serfWan], ['server RPC', config.ports.server]] as const) {
    if (on !== -1) notes.push(`${what} listener not started: not implemented by dc yet`)
  }
  if (config.retryJoin.length) notes.push(`-join/-retry-join accepted (${config.retryJoin.join(', ')}), but LAN gossip is not implemented by dc yet; not joining`)
  if (config.encrypt) notes.push('-encrypt accepted, but gossip encryption arrives with gossip in a later dc version')
  return notes
}
