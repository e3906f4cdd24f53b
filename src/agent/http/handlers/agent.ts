import {arch, cpus, hostname, platform, totalmem, freemem} from 'node:os'
import type {AgentContext} from '../../context.js'
import {VERSION} from '../../version.js'
import {HttpError} from '../errors.js'
import {flag} from '../query-options.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {applyFilter} from './catalog.js'

/** GET /v1/agent/self: Config, DebugConfig, Member, Stats, Meta as Consul renders them. */
export function self(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  const c = ctx.config
  const member = ctx.gossip.self()
  const serf = ctx.gossip.stats()
  const mem = process.memoryUsage()
  const checks = ctx.local.checks()
  const count = (type: string) => String(checks.filter((x) => x.Type === type).length)
  return {
    json: {
      Config: {
        Datacenter: c.datacenter,
        PrimaryDatacenter: c.datacenter,
        NodeName: c.nodeName,
        NodeID: ctx.nodeId,
        Revision: 'dc',
        Server: c.server,
        Version: VERSION,
        BuildDate: '',
      },
      DebugConfig: {
        Datacenter: c.datacenter,
        NodeName: c.nodeName,
        NodeID: ctx.nodeId,
        ServerMode: c.server,
        Bootstrap: c.bootstrap,
        BootstrapExpect: c.bootstrapExpect,
        DataDir: c.dataDir ?? '',
        DevMode: c.dev,
        ClientAddrs: [c.clientAddr],
        BindAddr: c.bindAddr,
        AdvertiseAddrLAN: ctx.advertiseAddr,
        HTTPPort: c.ports.http,
        DNSPort: c.ports.dns,
        ServerPort: c.ports.server,
        SerfPortLAN: c.ports.serfLan,
        SerfPortWAN: c.ports.serfWan,
        RaftSnapshotThreshold: c.raftSnapshotThreshold,
        RaftTrailingLogs: c.raftTrailingLogs,
        KVMaxValueSize: c.kvMaxValueSize,
        TxnMaxReqLen: c.txnMaxReqLen,
        EnableScriptChecks: c.enableScriptChecks,
        EnableLocalScriptChecks: c.enableLocalScriptChecks,
        EnableUI: c.ui,
        LogLevel: c.logLevel.toUpperCase(),
        NodeMeta: c.nodeMeta,
      },
      Coord: null,
      Member: member ?? null,
      Stats: {
        agent: {check_monitors: count('script'), check_ttls: count('ttl'), checks: String(checks.length), services: String(ctx.local.services().length)},
        build: {prerelease: '', revision: 'dc', version: VERSION},
        consul: {
          bootstrap: String(c.bootstrap),
          known_datacenters: '1',
          leader: String(ctx.raft?.isLeader() ?? false),
          leader_addr: ctx.raft?.leaderAddress() ?? '',
          server: String(c.server),
          ...ctx.wanStats?.(),
        },
        raft: ctx.raft?.stats() ?? {},
        runtime: {
          arch: arch(),
          os: platform(),
          version: process.version,
          cpu_count: String(cpus().length),
          heap_used_bytes: String(mem.heapUsed),
          rss_bytes: String(mem.rss),
        },
        ...(ctx.pluginStats ? {plugins: ctx.pluginStats()} : {}),
        ...(serf.lan ? {serf_lan: serf.lan} : {}),
        ...(serf.wan ? {serf_wan: serf.wan} : {}),
      },
      Meta: c.nodeMeta,
    },
  }
}

/** GET /v1/agent/version */
export function version(_req: HttpRequest, _p: RouteParams, _ctx: AgentContext): Reply {
  return {json: {SHA: '', BuildDate: '', HumanVersion: VERSION, FIPS: ''}}
}

/** GET /v1/agent/host */
export function host(_req: HttpRequest, _p: RouteParams, _ctx: AgentContext): Reply {
  return {
    json: {
      Memory: {total: totalmem(), available: freemem()},
      Host: {hostname: hostname(), os: platform(), kernelArch: arch()},
      CPU: cpus().map((c) => ({modelName: c.model, mhz: c.speed})),
    },
  }
}

/** GET /v1/agent/members[?wan][&segment][&filter] */
export function members(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  const segment = req.query.get('segment')
  let list = ctx.gossip.members(flag(req, 'wan'))
  // dc has only the default segment ("" ); a named one has no members.
  if (segment !== null && segment !== '' && segment !== '_all') list = []
  return {json: applyFilter(list, req.query.get('filter') ?? undefined)}
}

/** PUT /v1/agent/join/<address>[?wan=1] */
export async function join(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw new HttpError(400, 'Missing address to join')
  try {
    await ctx.gossip.join([p.rest], flag(req, 'wan'))
  } catch (e) {
    throw new HttpError(500, `Failed to join ${p.rest}: ${(e as Error).message}`)
  }
  return {}
}

/** PUT /v1/agent/leave: answer first, then leave and stop the process. */
export function leave(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  ctx.env.timers.defer(() => ctx.requestLeave())
  return {}
}

/** PUT /v1/agent/force-leave/<node>[?prune][&wan] */
export async function forceLeave(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw new HttpError(400, 'Missing node name')
  const wan = flag(req, 'wan')
  if (p.rest === (wan ? `${ctx.config.nodeName}.${ctx.config.datacenter}` : ctx.config.nodeName)) throw new HttpError(400, 'Cannot force-leave the local agent; use leave')
  try {
    await ctx.gossip.forceLeave(p.rest, req.query.has('prune'), wan)
  } catch (e) {
    throw new HttpError(500, (e as Error).message)
  }
  return {}
}

/** PUT /v1/agent/reload */
export async function reload(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  await ctx.reload()
  return {}
}
