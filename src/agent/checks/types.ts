import type {CheckType, PluginCheckDefinition, PluginEnv} from '../../plugin.js'
import type {Env, Logger, Timers} from '../env/types.js'
import type {CheckDefinition} from '../services/types.js'

export type CheckStatus = 'passing' | 'warning' | 'critical'

/** Where a runner reports a (threshold-filtered) result: the local agent's updateCheck. */
export type CheckNotify = (checkId: string, status: CheckStatus, output: string) => void

/** A running check. start() arms its timers; stop() cancels them and abandons any probe in flight. */
export interface CheckRunner {
  readonly checkId: string
  start(): void
  stop(): void
}

/** A TTL check additionally takes status updates from the API. */
export interface TtlRunner extends CheckRunner {
  /** Returns the output as stored (truncated to OutputMaxSize). */
  setStatus(status: CheckStatus, output: string): string
}

export interface HttpProbeRequest {
  url: string
  method: string
  headers: Record<string, string[]>
  body: string
  timeoutMs: number
  tlsSkipVerify: boolean
  tlsServerName: string
  followRedirects: boolean
  /** Read at most this many body bytes. */
  maxBytes: number
}

export interface HttpProbeResponse {
  statusCode: number
  /** Go's resp.Status, e.g. "200 OK". */
  status: string
  body: string
}

/**
 * The I/O a check needs, injected so tests (and the simulator) can replace it.
 * Every probe must settle: resolve with a result or reject with an Error whose
 * message is the check output; `signal` aborts it (the runner aborts at its timeout).
 */
export interface Probers {
  http(req: HttpProbeRequest, signal: AbortSignal): Promise<HttpProbeResponse>
  /** Resolves once a TCP connection to host:port was established (and closed again). */
  tcp(address: string, timeoutMs: number, signal: AbortSignal): Promise<void>
  /** Runs args without a shell; output is stdout+stderr, capped at maxBytes. */
  script(args: string[], timeoutMs: number, maxBytes: number, signal: AbortSignal): Promise<{exitCode: number; output: string; timedOut: boolean}>
}

/** What an alias check looks at: the aggregated health of a service (or node) somewhere. */
export interface AliasSource {
  /** The checks to aggregate: every check on the node, filtered by the runner; undefined while not known yet. */
  checks(node: string): {Node: string; CheckID: string; Name: string; Status: string; Output: string; ServiceID: string}[] | undefined
  /** Why the node's checks cannot be read now (the check is then critical with this output). */
  error?(node: string): string | undefined
  /**
   * Whether the node has the service, asked only when none of its checks names it (Consul's
   * alias check looks it up too): false makes the alias critical ("could not be found");
   * undefined (not known) counts as present, as Consul assumes when its lookup fails.
   */
  serviceExists?(node: string, serviceId: string): boolean | undefined
  /** Calls cb (at most once) when anything evaluate() read may have changed; returns cancel. */
  watch(node: string, cb: () => void): () => void
}

export interface RunnerDeps {
  env: Env
  log: Logger
  notify: CheckNotify
  probers: Probers
  /** This agent's node name (the default node of alias checks). */
  nodeName: string
  alias?: AliasSource
  datacenter?: string
  /** Where check types are found; dc's built-in types when absent. */
  types?: CheckTypeLookup
}

/** The registry as the check runners see it (src/agent/plugins/registry.ts). */
export interface CheckTypeLookup {
  checkType(name: string): {type: CheckType; plugin: string} | undefined
  checkTypeNames(): string[]
}

/**
 * What dc's own check types receive: the public environment plus the agent's probers and
 * alias source, and the decoded definition beside the public view. Plugins see only the
 * public part (their types declare the public parameter types).
 */
export interface CheckEnv extends PluginEnv {
  probers: Probers
  alias?: AliasSource
  timers: Timers
  internalLog: Logger
}

export interface BuiltinCheckDefinition extends PluginCheckDefinition {
  readonly definition: CheckDefinition
}

export type {CheckDefinition}
