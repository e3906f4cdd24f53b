import type {AgentContext} from '../../../src/agent/context.js'
import {createLogger, createNodeEnv} from '../../../src/agent/env/node.js'
import {createApp} from '../../../src/agent/http/app.js'
import {blockingRead} from '../../../src/agent/server/blocking.js'
import {parseQueryOptions} from '../../../src/agent/http/query-options.js'
import {routes} from '../../../src/agent/http/routes.js'
import type {HttpRequest} from '../../../src/agent/http/types.js'
import {createLocalAgent, type LocalAgent, type RegistryConfig} from '../../../src/agent/local/index.js'
import {Fsm, encodeCommand, type Command} from '../../../src/store/fsm/index.js'
import {WatchSet} from '../../../src/store/state/watch.js'
import type {Probers} from '../../../src/agent/checks/index.js'
import {CoordinateUpdates} from '../../../src/agent/server/coordinate-updates.js'
import {createEndpoints, localDelegate} from '../../../src/agent/server/endpoints/index.js'
import type {CoordinateEntry} from '../../../src/store/state/types.js'
import {createRpcCache} from '../../../src/agent/cache/rpc-cache.js'

export const NODE = 'node1'
export const NODE_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'

export interface Reply {
  status: number
  headers: Record<string, string>
  text: string
  json: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface AppHarness {
  fsm: Fsm
  local: LocalAgent
  /** The Coordinate endpoint's queue; tests flush it instead of waiting for its timer. */
  coordinates: CoordinateUpdates
  /** What /v1/coordinate/datacenters lists for dc1 (the WAN pool's view). */
  wanCoordinates: CoordinateEntry[]
  raw(cmd: Command): unknown
  call(method: string, path: string, opts?: {query?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal}): Promise<Reply>
  close(): Promise<void>
}

/**
 * The real route table and handlers over an in-process catalog (an FSM applied
 * synchronously, standing in for Raft) and a real LocalAgent on Node's timers.
 */
export async function appHarness(config: Partial<RegistryConfig> = {}, opts: {probers?: Probers} = {}): Promise<AppHarness> {
  const log = createLogger({level: 'error', json: false, write: () => {}})
  const env = createNodeEnv(log)
  const fsm = new Fsm()
  let idx = 0
  const raw = (cmd: Command) => fsm.apply(++idx, 1, encodeCommand(cmd))
  // What the leader writes for itself (server/leader.ts).
  raw({type: 'register', req: {ID: NODE_ID, Node: NODE, Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: {lan: '127.0.0.1', lan_ipv4: '127.0.0.1', wan: '127.0.0.1', wan_ipv4: '127.0.0.1'}, NodeMeta: {'consul-network-segment': ''}, Check: {CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable'}}})
  const registry: RegistryConfig = {
    nodeName: NODE, datacenter: 'dc1', dataDir: undefined, nodeMeta: {}, services: [], checks: [],
    enableScriptChecks: false, enableLocalScriptChecks: false, checkUpdateIntervalMs: 300_000, discardCheckOutput: false, ...config,
  }
  const apply = async (cmd: Command) => raw(cmd)
  let rpcRef!: AgentContext['rpc']
  const local = createLocalAgent({config: registry, env, log, nodeId: NODE_ID, nodeAddress: '127.0.0.1', rpc: (m, r, s) => rpcRef(m, r, s), state: () => fsm.state, probers: opts.probers})
  const defaults = {defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000}
  const queryOptions = (req: HttpRequest) => parseQueryOptions(req, defaults)
  const watch = {newWatchSet: () => new WatchSet(), wait: (ws: WatchSet, cb: () => void) => fsm.state.hub.wait(ws, cb)}
  const coordinates = new CoordinateUpdates({env, log, apply})
  const harness = {wanCoordinates: [] as CoordinateEntry[]}
  const coordinatePort = {
    update: (e: CoordinateEntry) => coordinates.update(e),
    datacenters: () => [{Datacenter: 'dc1', AreaID: 'WAN', Coordinates: harness.wanCoordinates}],
  }
  // The real endpoints over the FSM's store, through the same local delegate the agent uses.
  const rpc = localDelegate(createEndpoints({
    server: {state: () => fsm.state, apply, isLeader: () => true, hasLeader: () => true, lastContactMs: () => 0, verifyLeader: async () => {}, leaseRead: async () => {}},
    env,
    datacenter: 'dc1',
    defaultQueryTimeMs: 300_000,
    maxQueryTimeMs: 600_000,
    raft: {leaderAddress: () => '127.0.0.1:8300', peers: () => ['127.0.0.1:8300'], configuration: () => ({Servers: [], Index: 0})},
    sessionTimers: {reset: () => {}, clear: () => {}},
    coordinates: coordinatePort,
  }))
  rpcRef = rpc
  const cache = createRpcCache(env, log, rpc)
  const ctx = {
    rpc,
    cache,
    coordinates: coordinatePort,
    config: {datacenter: 'dc1', nodeName: NODE, defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000},
    env,
    log,
    nodeId: NODE_ID,
    state: () => fsm.state,
    apply,
    queryOptions,
    read: async (req: HttpRequest, fn: (s: Fsm['state'], ws: WatchSet | undefined) => {index: number; value: unknown}, o?: ReturnType<typeof queryOptions>) => {
      const r = await blockingRead(env, watch, o ?? queryOptions(req), (ws) => fn(fsm.state, ws), req.signal)
      return {value: r.value, meta: {index: r.index, knownLeader: true, lastContactMs: 0, consistency: 'leader' as const}}
    },
    local,
  } as unknown as AgentContext
  const app = createApp(routes, ctx)
  await local.start()
  await local.syncChanges()
  return {
    fsm,
    local,
    coordinates,
    get wanCoordinates() {
      return harness.wanCoordinates
    },
    set wanCoordinates(v: CoordinateEntry[]) {
      harness.wanCoordinates = v
    },
    raw,
    async call(method, path, o = {}) {
      const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body))
      const res = await app({method, path, query: new URLSearchParams(o.query ?? ''), headers: o.headers ?? {}, body, signal: o.signal})
      const text = String(res.body)
      let json: unknown
      try {
        json = text ? JSON.parse(text) : undefined
      } catch {
        json = undefined
      }
      return {status: res.status, headers: res.headers, text, json}
    },
    close: () => {
      cache.stop()
      return local.stop()
    },
  }
}
