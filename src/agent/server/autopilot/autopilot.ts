import type {Logger} from '../../env/types.js'
import type {AutopilotConfigInput} from '../../../store/state/types.js'
import {nextState} from './health.js'
import {promotions, removals} from './reconcile.js'
import type {AutopilotAction, AutopilotState, KnownServer, ServerStats} from './types.js'

/** What autopilot reads and does; the leader passes the real Raft node and gossip pool. */
export interface AutopilotPort {
  isLeader(): boolean
  /** This server's Raft id (the leader's, while autopilot runs). */
  selfId: string
  /** RaftNode.configuration(): every server and its suffrage. */
  configuration(): {servers: {id: string; voter: boolean}[]}
  /** RaftNode.peers(): per other server, its match index and ms since it was last heard from. */
  peers(): Record<string, {match: number; lastContactMs: number}>
  /** The leader's own last log index and term. */
  lastLog(): {index: number; term: number}
  /** Term of the leader's log entry at index (0 when compacted or unknown). */
  termAt(index: number): number
  /** Servers of this datacenter in the LAN pool, by Raft id. */
  members(): Record<string, KnownServer>
  /** The replicated configuration; undefined until a leader wrote one. */
  config(): AutopilotConfigInput | undefined
  /** Writes Consul's default configuration through Raft (a new leader with none stored). */
  initConfig(): Promise<unknown>
  addVoter(id: string): Promise<unknown>
  removeServer(id: string): Promise<unknown>
  log: Logger
}

export interface AutopilotOptions {
  /** How often promotions and dead-server cleanup run, at most (raft-autopilot: 10 s). */
  reconcileIntervalMs?: number
}

/**
 * Consul's autopilot, driven by the leader: each tick recomputes every server's health,
 * and at most once per reconcile interval promotes stable non-voters or removes dead
 * servers. No timers here: the caller ticks it with the time (monotonic and wall ms).
 * One tick runs at a time; a tick while one is in flight does nothing.
 */
export class Autopilot {
  private current: AutopilotState | undefined
  private lastReconcileMs = -Infinity
  private running = false
  private readonly reconcileIntervalMs: number

  constructor(private readonly port: AutopilotPort, opts: AutopilotOptions = {}) {
    this.reconcileIntervalMs = opts.reconcileIntervalMs ?? 10_000
  }

  /** The latest state; undefined when not the leader or before the first tick. */
  state(): AutopilotState | undefined {
    return this.current
  }

  /** Forget the state (leadership lost): a next term starts with a fresh stabilization grace. */
  reset(): void {
    this.current = undefined
    this.lastReconcileMs = -Infinity
  }

  /** Returns the membership changes it carried out this tick; never rejects (failures are logged). */
  async tick(nowMs: number, wallMs: number = nowMs): Promise<AutopilotAction[]> {
    if (this.running) return []
    if (!this.port.isLeader()) {
      this.reset()
      return []
    }
    this.running = true
    try {
      return await this.run(nowMs, wallMs)
    } catch (e) {
      this.port.log.warn('autopilot: round failed', {error: (e as Error)?.message ?? String(e)})
      return []
    } finally {
      this.running = false
    }
  }

  private async run(nowMs: number, wallMs: number): Promise<AutopilotAction[]> {
    const p = this.port
    let config = p.config()
    if (!config) {
      await p.initConfig()
      config = p.config()
      if (!config) return []
      p.log.info('autopilot: wrote the default configuration')
    }
    const conf = p.configuration()
    const last = p.lastLog()
    const stats: Record<string, ServerStats> = {[p.selfId]: {lastContactMs: 0, lastTerm: last.term, lastIndex: last.index}}
    for (const [id, pr] of Object.entries(p.peers())) {
      stats[id] = {lastContactMs: pr.lastContactMs, lastIndex: pr.match, lastTerm: pr.match > 0 ? p.termAt(pr.match) : 0}
    }
    const known = p.members()
    this.current = nextState({
      nowMs, wallMs, config, raftServers: conf.servers, leaderId: p.selfId, leaderLastIndex: last.index, leaderLastTerm: last.term,
      stats, known, previous: this.current,
    })
    if (nowMs - this.lastReconcileMs < this.reconcileIntervalMs) return []
    this.lastReconcileMs = nowMs
    const promote = promotions(this.current, config, nowMs)
    const actions = promote.length > 0 ? promote : removals(conf.servers, known, config, p.selfId)
    const done: AutopilotAction[] = []
    for (const a of actions) {
      if (!p.isLeader()) break
      try {
        if (a.type === 'promote') {
          p.log.info('autopilot: promoting server to voter', {id: a.id})
          await p.addVoter(a.id)
        } else {
          p.log.info('autopilot: removing dead server', {id: a.id, reason: a.reason})
          await p.removeServer(a.id)
        }
        done.push(a)
      } catch (e) {
        // Busy (a change in flight) or leadership lost: the next round decides again.
        p.log.warn(`autopilot: ${a.type} failed`, {id: a.id, error: (e as Error).message})
        break
      }
    }
    return done
  }
}
