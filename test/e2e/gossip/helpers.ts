import {runCli, type CliResult} from '../cli/run-cli.js'
import {startAgent, waitFor, type RunningAgent, type StartOptions} from '../../helpers/agent.js'

export interface Member {
  Name: string
  Addr: string
  Port: number
  Status: number
  Tags: Record<string, string>
}

export const ALIVE = 1
export const LEFT = 3
export const FAILED = 4

/** An agent in a gossip test: its own loopback address, gossip on a free port. */
export async function startNode(name: string, ip: string, extra: Partial<StartOptions> = {}): Promise<RunningAgent> {
  return startAgent({dev: true, node: name, bind: ip, ...extra})
}

export async function members(a: RunningAgent, wan = false): Promise<Member[]> {
  const r = await fetch(`${a.url}/v1/agent/members${wan ? '?wan=1' : ''}`)
  if (!r.ok) throw new Error(`members: ${r.status} ${await r.text()}`)
  return (await r.json()) as Member[]
}

/** The agent's own gossip address ("ip:port") as its LAN member record says. */
export async function gossipAddr(a: RunningAgent, wan = false): Promise<string> {
  const self = (await (await fetch(`${a.url}/v1/agent/self`)).json()) as {Config: {NodeName: string}}
  const name = wan ? undefined : self.Config.NodeName
  const m = (await members(a, wan)).find((x) => (name ? x.Name === name : x.Name.startsWith(`${self.Config.NodeName}.`)))
  if (!m) throw new Error('agent does not list itself')
  return `${m.Addr}:${m.Port}`
}

/** Polls until `a` sees `name` with `status` (bounded). */
export function waitStatus(a: RunningAgent, name: string, status: number | undefined, timeoutMs = 20_000, wan = false): Promise<boolean> {
  return waitFor(async () => {
    const m = (await members(a, wan)).find((x) => x.Name === name)
    return status === undefined ? m === undefined : m?.Status === status
  }, timeoutMs, 100)
}

export function dc(a: RunningAgent, args: string[]): Promise<CliResult> {
  return runCli([...args, `-http-addr=${a.httpAddr}`])
}
