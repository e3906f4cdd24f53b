import type {Env, Logger} from '../env/types.js'
import type {ServerInfo} from './servers.js'

/** What the servers in the pool say about bootstrapping now (pure; Consul's maybeBootstrap checks). */
export type BootstrapDecision =
  | {kind: 'wait'; have: number}
  | {kind: 'refuse'; message: string}
  | {kind: 'ready'; servers: ServerInfo[]}

export function bootstrapDecision(expect: number, alive: ServerInfo[]): BootstrapDecision {
  for (const s of alive) {
    if (s.bootstrap) return {kind: 'refuse', message: `Member ${s.name} has bootstrap mode. Expect disabled.`}
    if (s.expect !== 0 && s.expect !== expect) {
      return {kind: 'refuse', message: `Member ${s.name} has a conflicting expect value. All nodes should expect the same number.`}
    }
  }
  if (alive.length < expect) return {kind: 'wait', have: alive.length}
  return {kind: 'ready', servers: [...alive].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))}
}

export interface BootstrapperDeps {
  env: Env
  log: Logger
  expect: number
  aliveServers(): ServerInfo[]
  /** Raft has a log, snapshot or term already: this server is or was in a cluster. */
  hasState(): boolean
  /** Status.Peers of another server over RPC. */
  peersOf(addr: string): Promise<string[]>
  /** Bootstraps Raft with these voters; false when Raft refused (state appeared meanwhile). */
  bootstrap(voters: ServerInfo[]): boolean
}

/**
 * -bootstrap-expect: once N servers of this datacenter are alive in the LAN pool and
 * none of them reports Raft peers already, bootstrap with all of them as voters —
 * exactly once, and never on a server that has Raft state. Every server runs this;
 * they all reach the same configuration, and Raft's bootstrap is idempotent across
 * them because each writes the same voters at index 1.
 */
export class Bootstrapper {
  private done = false
  private running = false
  private lastRefusal = ''

  constructor(private readonly d: BootstrapperDeps) {}

  get finished(): boolean {
    return this.done
  }

  /** Called on LAN member events and periodically until it has run. */
  async maybeBootstrap(): Promise<void> {
    if (this.done || this.running) return
    const {log} = this.d
    if (this.d.hasState()) {
      log.info('Raft data found, disabling bootstrap mode')
      this.done = true
      return
    }
    const decision = bootstrapDecision(this.d.expect, this.d.aliveServers())
    if (decision.kind === 'refuse') {
      if (decision.message !== this.lastRefusal) log.error(decision.message)
      this.lastRefusal = decision.message
      return
    }
    this.lastRefusal = ''
    if (decision.kind === 'wait') return
    this.running = true
    try {
      // Any server that already has peers means a cluster exists: join it instead.
      for (const s of decision.servers) {
        let peers: string[]
        try {
          peers = await this.d.peersOf(s.addr)
        } catch (e) {
          log.warn(`Failed to confirm peer status for ${s.name}: ${(e as Error).message}. Retrying...`)
          return
        }
        if (peers.length > 0) {
          log.info(`Existing Raft peers reported by ${s.name}, disabling bootstrap mode`)
          this.done = true
          return
        }
      }
      if (this.d.hasState()) {
        this.done = true
        return
      }
      log.info(`Found expected number of peers, attempting bootstrap: ${decision.servers.map((s) => `${s.id}@${s.addr}`).join(',')}`)
      if (!this.d.bootstrap(decision.servers)) log.info('Raft state appeared before bootstrap; not bootstrapping')
      this.done = true
    } finally {
      this.running = false
    }
  }
}
