import type {Env, Logger, TimerHandle} from '../../env/types.js'
import type {TxnOp, TxnResponse} from '../../../store/state/txn.js'
import {REPLICATION_STATE_PREFIX, type ReplicationConfig} from '../../config/replication.js'
import {batches, decodeProgress, diffPrefix, encodeProgress, type LocalEntry, type SourceEntry} from './diff.js'

/** One prefix's progress as `dc replication status` shows it (times: wall ms, 0 = never). */
export interface PrefixStatus {
  Prefix: string
  SourceDatacenter: string
  /** The source's index this datacenter's copy is equal to. */
  ReplicatedIndex: number
  /** The source's index as last seen (ahead of ReplicatedIndex while a round is applied). */
  SourceIndex: number
  /** This datacenter's KV index of the prefix. */
  LocalIndex: number
  LastSuccess: number
  LastError: number
  LastErrorMessage: string
  /** Keys set or deleted here since this server began leading. */
  Applied: number
}

export interface ReplicationStatus {
  Enabled: boolean
  /** True on the leader while its loops run. */
  Running: boolean
  SourceDatacenter: string
  /** The answering server's wall clock, so ages are computed on one clock. */
  Now: number
  Prefixes: PrefixStatus[]
}

export interface ReplicatorDeps {
  env: Env
  log: Logger
  config: ReplicationConfig
  /** KVS.List of a prefix in the source datacenter: a blocking query through the one seam. */
  remoteList(prefix: string, minIndex: number, maxQueryTimeMs: number): Promise<{index: number; entries: SourceEntry[]}>
  /** This server's own copy (read while it leads). */
  localList(prefix: string): {index: number; entries: LocalEntry[]}
  localGet(key: string): LocalEntry | undefined
  /** One transaction through this server's Raft; rejects once it no longer leads. */
  apply(ops: TxnOp[]): Promise<TxnResponse>
  /** Longest wait of one blocking query on the source (default 10 s: the idle heartbeat of the status). */
  waitMs?: number
  /** Backoff after a failed round: min doubling up to max (default 500 ms .. 30 s). */
  backoffMinMs?: number
  backoffMaxMs?: number
}

interface Loop {
  status: PrefixStatus
  sleep?: {timer: TimerHandle; wake: () => void}
}

export const progressKey = (prefix: string): string => REPLICATION_STATE_PREFIX + prefix

/**
 * The leader's KV prefix replication: per prefix, a blocking KVS.List in the source
 * datacenter, then the difference applied here in conditional transactions whose last
 * one also records the source index reached. A generation counter stops the loops
 * of a lost leadership; the next leader resumes from the recorded index.
 */
export class KvReplicator {
  private gen = 0
  private running = false
  private readonly loops: Loop[]

  constructor(private readonly d: ReplicatorDeps) {
    this.loops = d.config.kvPrefixes.map((p) => ({status: blankStatus(p, d.config.sourceDatacenter)}))
  }

  /** Leadership gained: start a loop per prefix. */
  start(): void {
    this.stop()
    const gen = ++this.gen
    this.running = true
    this.d.log.info('kv replication started', {source: this.d.config.sourceDatacenter, prefixes: this.d.config.kvPrefixes.join(',')})
    for (const l of this.loops) {
      const rec = this.recorded(l.status.Prefix)
      l.status.ReplicatedIndex = rec?.ReplicatedIndex ?? 0
      l.status.LastSuccess = rec?.LastSuccess ?? 0
      l.status.Applied = 0
      void this.loop(l, gen)
    }
  }

  /** Leadership lost (or shutdown): in-flight rounds are abandoned before their next write. */
  stop(): void {
    if (!this.running) return
    this.running = false
    this.gen++
    for (const l of this.loops) {
      l.sleep?.timer.cancel()
      l.sleep?.wake()
      l.sleep = undefined
    }
    this.d.log.info('kv replication stopped')
  }

  status(): ReplicationStatus {
    return {
      Enabled: true,
      Running: this.running,
      SourceDatacenter: this.d.config.sourceDatacenter,
      Now: this.d.env.clock.wallMs(),
      Prefixes: this.loops.map((l) => {
        const recorded = this.running ? undefined : this.recorded(l.status.Prefix)
        return {
          ...l.status,
          ...(recorded ? {ReplicatedIndex: recorded.ReplicatedIndex, LastSuccess: recorded.LastSuccess} : {}),
          LocalIndex: this.d.localList(l.status.Prefix).index,
        }
      }),
    }
  }

  private recorded(prefix: string) {
    return decodeProgress(this.d.localGet(progressKey(prefix))?.Value, this.d.config.sourceDatacenter, prefix)
  }

  private async loop(l: Loop, gen: number): Promise<void> {
    const s = l.status
    const waitMs = this.d.waitMs ?? 10_000
    let failures = 0
    // The first list does not block: it compares the whole prefix once per leadership.
    let first = true
    while (this.gen === gen) {
      try {
        const minIndex = first ? 0 : Math.max(1, s.ReplicatedIndex)
        const res = await this.d.remoteList(s.Prefix, minIndex, waitMs)
        if (this.gen !== gen) return
        s.SourceIndex = res.index
        await this.round(s, res, gen, first)
        first = false
        failures = 0
      } catch (e) {
        if (this.gen !== gen) return
        failures++
        const min = this.d.backoffMinMs ?? 500
        const retryMs = Math.min(min * 2 ** Math.min(failures - 1, 16), this.d.backoffMaxMs ?? 30_000)
        s.LastError = this.d.env.clock.wallMs()
        s.LastErrorMessage = String((e as Error)?.message ?? e)
        this.d.log.warn('kv replication round failed; backing off', {prefix: s.Prefix, source: s.SourceDatacenter, error: s.LastErrorMessage, retry_in_ms: retryMs})
        await new Promise<void>((wake) => {
          const timer = this.d.env.timers.after(retryMs, wake)
          l.sleep = {timer, wake}
        })
        l.sleep = undefined
      }
    }
  }

  /** Applies one source listing; no write at all when nothing changed (a resumed leader, an idle wait). */
  private async round(s: PrefixStatus, res: {index: number; entries: SourceEntry[]}, gen: number, first: boolean): Promise<void> {
    const key = progressKey(s.Prefix)
    if (!first && res.index === s.ReplicatedIndex) {
      s.LastSuccess = this.d.env.clock.wallMs()
      return
    }
    const record = this.d.localGet(key)
    const ops = diffPrefix(s.Prefix, res.entries, this.d.localList(s.Prefix).entries)
    if (ops.length === 0 && record && res.index === s.ReplicatedIndex) {
      s.LastSuccess = this.d.env.clock.wallMs()
      return
    }
    const now = this.d.env.clock.wallMs()
    const progress = encodeProgress({SourceDatacenter: s.SourceDatacenter, Prefix: s.Prefix, ReplicatedIndex: res.index, LastSuccess: now})
    const last = {Verb: 'cas' as const, Key: key, Value: progress, Flags: 0, Index: record?.ModifyIndex ?? 0}
    for (const txn of batches(ops, last)) {
      if (this.gen !== gen) throw new Error('leadership lost')
      const r = await this.d.apply(txn)
      if (r.errors.length > 0) throw new Error(`transaction failed: ${r.errors.map((e) => e.What).join('; ')}`)
    }
    s.ReplicatedIndex = res.index
    s.LastSuccess = now
    s.Applied += ops.length
  }
}

function blankStatus(prefix: string, source: string): PrefixStatus {
  return {Prefix: prefix, SourceDatacenter: source, ReplicatedIndex: 0, SourceIndex: 0, LocalIndex: 0, LastSuccess: 0, LastError: 0, LastErrorMessage: '', Applied: 0}
}

/** What a server without a replication stanza answers. */
export function disabledStatus(now: number): ReplicationStatus {
  return {Enabled: false, Running: false, SourceDatacenter: '', Now: now, Prefixes: []}
}
