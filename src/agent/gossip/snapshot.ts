import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import type {Env, Logger, TimerHandle} from '../env/types.js'
import type {Addr} from './memberlist/messages.js'
import {MemberStatus, type Serf} from './serf/serf.js'

/**
 * Serf's member snapshot (serf/snapshot.go format: `alive: <name> <ip:port>`,
 * `clock: N`, `event-clock: N`, `query-clock: N`, `leave`), so an agent that crashed
 * or restarted rejoins the members it knew and keeps its Lamport clocks moving
 * forward. We rewrite it whole (compacted) a moment after membership changes.
 */
export interface SnapshotContents {
  alive: {name: string; addr: Addr}[]
  clock: number
  eventClock: number
  queryClock: number
  left: boolean
}

export function readSnapshot(file: string): SnapshotContents | undefined {
  if (!existsSync(file)) return undefined
  const out: SnapshotContents = {alive: [], clock: 0, eventClock: 0, queryClock: 0, left: false}
  const alive = new Map<string, Addr>()
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    let m: RegExpExecArray | null
    if ((m = /^alive: (\S+) (\S+)$/.exec(line))) {
      const addr = parseHostPort(m[2])
      if (addr) alive.set(m[1], addr)
      out.left = false
    } else if ((m = /^not-alive: (\S+)$/.exec(line))) alive.delete(m[1])
    else if ((m = /^clock: (\d+)$/.exec(line))) out.clock = Number(m[1])
    else if ((m = /^event-clock: (\d+)$/.exec(line))) out.eventClock = Number(m[1])
    else if ((m = /^query-clock: (\d+)$/.exec(line))) out.queryClock = Number(m[1])
    else if (line === 'leave') out.left = true
    // anything else (coordinates, future lines) is skipped, as Serf does
  }
  out.alive = [...alive].map(([name, addr]) => ({name, addr}))
  return out
}

function parseHostPort(s: string): Addr | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s)
  return m ? {ip: m[1], port: Number(m[2])} : undefined
}

export class SnapshotWriter {
  private pending?: TimerHandle
  private timer?: TimerHandle
  private left = false

  constructor(private readonly file: string, private readonly env: Env, private readonly log: Logger, private readonly serf: () => Serf) {}

  start(): void {
    // Clocks move without membership changes (events, queries): save them now and then.
    this.timer = this.env.timers.every(30_000, () => this.flush())
    this.flush()
  }

  changed(): void {
    if (this.pending) return
    this.pending = this.env.timers.after(200, () => {
      this.pending = undefined
      this.flush()
    })
  }

  markLeft(): void {
    this.left = true
    this.flush()
  }

  flush(): void {
    this.pending?.cancel()
    this.pending = undefined
    const s = this.serf()
    const lines: string[] = []
    for (const m of s.allMembers()) {
      if (m.status === MemberStatus.alive) lines.push(`alive: ${m.name} ${m.addr.ip.includes(':') ? `[${m.addr.ip}]` : m.addr.ip}:${m.addr.port}`)
    }
    lines.push(`clock: ${s.clock.time()}`, `event-clock: ${s.eventClock.time()}`, `query-clock: ${s.queryClock.time()}`)
    if (this.left) lines.push('leave')
    try {
      mkdirSync(dirname(this.file), {recursive: true})
      writeFileSync(`${this.file}.tmp`, lines.join('\n') + '\n')
      renameSync(`${this.file}.tmp`, this.file)
    } catch (e) {
      this.log.warn('could not write the serf snapshot', {file: this.file, error: String(e)})
    }
  }

  stop(): void {
    this.timer?.cancel()
    this.flush()
  }
}
