import type {SerfMember} from '../gossip/serf/serf.js'
import {MemberStatus} from '../gossip/serf/serf.js'

/** A Consul server of some datacenter as its LAN gossip tags describe it (Consul's metadata.Server). */
export interface ServerInfo {
  name: string
  /** The node ID: also the server's Raft ID. */
  id: string
  datacenter: string
  /** "ip:port" of its RPC listener, which also carries Raft. */
  addr: string
  status: number
  /** bootstrap_expect it was started with (0 = none). */
  expect: number
  bootstrap: boolean
  raftVersion: number
  /** Its version from the `build` tag ("1.2.3:dc" → "1.2.3"), '' when absent. */
  version: string
  /** It takes proposals forwarded in the Raft stream (tag `ft_raft_prop`). */
  raftProposals: boolean
}

/** A member's server metadata, or undefined when it is not a Consul server (Consul's IsConsulServer). */
export function serverInfo(m: SerfMember): ServerInfo | undefined {
  const t = m.tags
  if (t.role !== 'consul' || !t.dc || !t.id) return undefined
  const port = Number(t.port)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined
  const host = m.addr.ip.includes(':') ? `[${m.addr.ip}]` : m.addr.ip
  return {
    name: m.name,
    id: t.id,
    datacenter: t.dc,
    addr: `${host}:${port}`,
    status: m.status,
    expect: Number(t.expect) || 0,
    bootstrap: t.bootstrap === '1',
    raftVersion: Number(t.raft_vsn) || 0,
    version: (t.build ?? '').split(':')[0] ?? '',
    raftProposals: t.ft_raft_prop === '1',
  }
}

/**
 * The servers of this datacenter in the LAN pool, looked up by Raft ID. Raft addresses
 * come from here (gossip is the only source, as in Consul), so a server that moved to a
 * new address is reached there as soon as gossip says so.
 */
export class ServerLookup {
  /** The servers as of the last membership change: Raft resolves an address per message, and the pool may hold thousands of clients. */
  private cached?: ServerInfo[]

  constructor(
    private readonly datacenter: string,
    private readonly members: () => SerfMember[],
  ) {}

  /** Called on every LAN member event (join, leave, failure, tag update, reap). */
  invalidate(): void {
    this.cached = undefined
  }

  /** Every server of this datacenter gossip knows, in any state. */
  all(): ServerInfo[] {
    if (this.cached) return this.cached
    const out: ServerInfo[] = []
    for (const m of this.members()) {
      const s = serverInfo(m)
      if (s && s.datacenter === this.datacenter) out.push(s)
    }
    // Until gossip has started there is nothing to remember.
    if (out.length > 0) this.cached = out
    return out
  }

  alive(): ServerInfo[] {
    return this.all().filter((s) => s.status === MemberStatus.alive)
  }

  byId(id: string): ServerInfo | undefined {
    // Several members may have carried this ID over time; an alive one wins.
    let found: ServerInfo | undefined
    for (const s of this.all()) {
      if (s.id !== id) continue
      if (s.status === MemberStatus.alive) return s
      found ??= s
    }
    return found
  }

  addrOf(id: string): string | undefined {
    return this.byId(id)?.addr
  }

  byAddr(addr: string): ServerInfo | undefined {
    return this.all().find((s) => s.addr === addr)
  }
}
