/**
 * The dc agent's plugin API (`import type {AgentPlugin} from 'dc/plugin'`), version 1.
 * docs/plugins.md explains it with a complete example.
 *
 * A plugin is an ES module whose default export is an {@link AgentPlugin}. The agent loads
 * only the plugins its config names (`plugins: [{name, config, optional}]`), calls
 * `register(api)` once, and from then on drives what was registered: it schedules checks,
 * applies their timeouts and thresholds, and contains their failures (a check that throws,
 * rejects, hangs or returns garbage turns critical; a join provider that fails is skipped).
 * Plugin code runs inside the agent process, with the agent's privileges.
 *
 * This module holds types and one constant only, so a plugin can import it at no cost.
 * @module
 */

/** The API version this dc speaks. A plugin declaring another version is refused at start. */
export const PLUGIN_API_VERSION = 1

export type CheckStatus = 'passing' | 'warning' | 'critical'

/** One check result. `output` is shown as the check's Output (cut at the check's OutputMaxSize). */
export interface CheckResult {
  status: CheckStatus
  output: string
}

/** What a plugin may log through; lines carry the plugin's name. */
export interface PluginLogger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/**
 * A check definition of a plugin's type, as the agent decoded it. The fields every check has
 * are decoded by the agent; everything else the definition carries is in `args`, with keys in
 * snake_case (`MaxAge`, `maxAge` and `max_age` all arrive as `max_age`).
 */
export interface PluginCheckDefinition {
  readonly id: string
  readonly name: string
  /** '' for a node-level check. */
  readonly serviceId: string
  /** The check type's name (`file-age`; `grpc` for a definition with a `GRPC` field). */
  readonly type: string
  /** 0 when the definition gives none (types with `interval: 'none'`). */
  readonly intervalMs: number
  /** The definition's timeout, or the type's default, or 10 s. */
  readonly timeoutMs: number
  readonly args: Readonly<Record<string, unknown>>
}

/** The environment the agent injects into every check and provider (the simulator injects virtual time). */
export interface PluginEnv {
  /** Monotonic milliseconds: use for ages and deadlines. */
  nowMs(): number
  /** Wall-clock milliseconds since the epoch (file mtimes, display). */
  wallMs(): number
  /** Runs fn once after ms; cancel() is a no-op after it fired. Use instead of setTimeout so tests can run on virtual time. */
  after(ms: number, fn: () => void): {cancel(): void}
  log: PluginLogger
  nodeName: string
  datacenter: string
}

/**
 * A check the agent polls: once per interval it calls `check(signal)` and waits at most the
 * check's timeout; after the timeout the signal is aborted and the result is critical with
 * `timeoutOutput` (or "<type> check timed out after 10s"). At most one call is in flight.
 */
export interface PolledCheck {
  check(signal: AbortSignal): CheckResult | Promise<CheckResult>
  timeoutOutput?: string
  /** The deadline the agent enforces, when the check needs another than the definition's (e.g. it enforces its own timeout and needs a margin). */
  timeoutMs?: number
  /** Called when the check is deregistered or the agent stops. */
  close?(): void
}

/**
 * A check that reports by itself (on a file watch, a subscription, an API call): `start`
 * gets the function to report through and returns nothing; `stop` ends it.
 */
export interface WatchedCheck {
  start(report: (result: CheckResult) => void): void
  stop(): void
  /** Present on TTL-like checks: a status sent to /v1/agent/check/{pass,warn,fail,update}/:id. Returns the output as stored. */
  update?(status: CheckStatus, output: string): string
}

export type PluginCheck = PolledCheck | WatchedCheck

/** A check type: `{"check": {"type": "<name>", …, "interval": "10s"}}` selects it. */
export interface CheckType {
  /** Lower-case name: letters, digits, '-' and '_'. */
  name: string
  /** 'required' (default): polled, an interval must be given. 'none': a WatchedCheck without interval. */
  interval?: 'required' | 'none'
  /** Timeout when the definition gives none (default 10 s). */
  defaultTimeoutMs?: number
  /** Checks a definition at registration; a thrown Error's message is the 400 answer. */
  validate?(def: PluginCheckDefinition): void
  /** Builds the check of one definition. Called again when the definition or the plugin's config changes. */
  create(def: PluginCheckDefinition, env: PluginEnv): PluginCheck
}

/**
 * A join provider for `retry_join` / `retry_join_wan` entries of go-discover's form
 * `provider=<name> key=value key="value with spaces"`: returns the addresses to join
 * ("ip", "ip:port", "host", "[v6]:port"). Called on every join attempt.
 */
export interface JoinProvider {
  name: string
  /** A line of help shown by `dc validate` and in error messages. */
  help?: string
  /** Throw an Error (its message is logged) when a required key is missing or the lookup fails. */
  discover(args: Readonly<Record<string, string>>, env: PluginEnv, signal: AbortSignal): string[] | Promise<string[]>
}

/** A user event (`dc event -name deploy v42`) delivered to this agent. */
export interface PluginUserEvent {
  id: string
  name: string
  payload: Uint8Array
  ltime: number
}

export type EventHandler = (event: PluginUserEvent, env: PluginEnv) => void | Promise<void>

/** What `register` receives. */
export interface PluginApi {
  /** The API version of the agent (equal to the plugin's, or the plugin would not be loaded). */
  readonly apiVersion: number
  /** The `config` object of the plugin's entry in the agent config ({} when absent). */
  readonly config: Readonly<Record<string, unknown>>
  readonly env: PluginEnv
  checkType(type: CheckType): void
  joinProvider(provider: JoinProvider): void
  onEvent(handler: EventHandler): void
}

/** The default export of a plugin module. */
export interface AgentPlugin {
  /** Must equal the agent's PLUGIN_API_VERSION (1). */
  apiVersion: number
  /** Registers what the plugin provides. May be async; a throw stops the agent's start-up. */
  register(api: PluginApi): void | Promise<void>
  /**
   * The plugin's `config` changed on a reload (SIGHUP, `dc reload`). The agent then rebuilds
   * the checks of the plugin's types. Without this method a config change needs a restart.
   */
  reconfigure?(config: Readonly<Record<string, unknown>>): void | Promise<void>
  /** The agent is stopping. */
  close?(): void | Promise<void>
}
