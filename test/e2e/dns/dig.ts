/** Runs the real `dig` against a local port and parses what it prints. */
import {execFile} from 'node:child_process'

export interface DigResult {
  status: string
  flags: string[]
  answer: string[][]
  authority: string[][]
  additional: string[][]
  /** EDNS UDP size from the OPT pseudo-section, if any. */
  ednsUdp?: number
  /** "UDP" or "TCP" from the SERVER line. */
  transport?: string
  raw: string
}

export function dig(port: number, ...args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...args], {timeout: 15_000}, (err, stdout) => {
      // dig exits 9 on no reply; the output still tells what happened.
      if (err && !stdout) return reject(err)
      resolve(parseDig(stdout))
    })
  })
}

export function parseDig(raw: string): DigResult {
  // When dig retried (UDP truncated → TCP) the last response is the one that counts.
  const headerAt = raw.lastIndexOf(';; ->>HEADER<<-')
  const last = headerAt < 0 ? raw : raw.slice(headerAt)
  const section = (title: string): string[][] => {
    const lines = last.split('\n')
    const start = lines.findIndex((l) => l.startsWith(`;; ${title} SECTION:`))
    if (start < 0) return []
    const out: string[][] = []
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '' || line.startsWith(';;')) break
      out.push(line.trim().split(/\s+/))
    }
    return out
  }
  const status = /status: (\w+)/.exec(last)?.[1] ?? 'NO-REPLY'
  const flags = (/;; flags: ([a-z ]*);/.exec(last)?.[1] ?? '').trim().split(/\s+/).filter(Boolean)
  const udp = /; EDNS: version: \d+, flags:[^;]*; udp: (\d+)/.exec(last)?.[1]
  return {
    status, flags, answer: section('ANSWER'), authority: section('AUTHORITY'), additional: section('ADDITIONAL'),
    ednsUdp: udp === undefined ? undefined : Number(udp), transport: /;; SERVER: .*\((UDP|TCP)\)/.exec(raw)?.[1], raw,
  }
}
