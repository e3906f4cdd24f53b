import {createSimWorld} from '../../../../src/agent/env/sim.js'
import {checkHistory, checkSet, checkStaleReads, ElectionSafety, Monotonic, StateMachineSafety, Violations, type SetAdd} from '../../checkers.js'
import {formatOp, History, type HistoryOp} from '../../history.js'
import {Nemesis, type NemesisTools} from '../../nemesis.js'
import {SimNetwork} from '../../network.js'
import {ServerCluster} from '../cluster.js'
import {drawServerParams, type ServerSimParams} from '../params.js'
import {SimRpc} from '../rpc.js'
import {ServerWorkload} from '../workload.js'
import {SimWan} from './wan.js'
import {MemberStatus} from '../../../../src/agent/gossip/serf/serf.js'

export const DCS = ['dc1', 'dc2'] as const
type Dc = (typeof DCS)[number]

export interface TwoDcOptions {
  /** Virtual ms of the chaos phase (faults in each DC and WAN cuts); default 5 000. */
  safetyMs?: number
  /** Virtual ms of the final WAN cut, during which each DC must keep serving its own clients. */
  cutPhaseMs?: number
}

export interface TwoDcReport {
  seed: number
  params: Record<Dc, ServerSimParams>
  ok: boolean
  violations: string[]
  events: number
  virtualMs: number
  realMs: number
  digest: string
  coverage: Record<string, number>
  faults: string[]
  logTail: string[]
}

export function replayTwoDcCommand(seed: number): string {
  return `DC_SIM_SEED=${seed} npx vitest run test/sim/servers/two-dc`
}

/** Client names say where they live and which datacenter they aim at: dc1todc2-c1. */
const prefix = (home: Dc, target: Dc): string => `${home}to${target}-`
const TARGET = /\b(dc\d)to(dc\d)-c\d+/

/**
 * Two datacenters of three whole servers each in one world: a Raft group (own Raft
 * network) and LAN pool per DC, one RPC network between all six servers, the WAN pool
 * from SimWan. In each DC clients call their own servers, naming their own DC or the
 * other (forwarded over the WAN). Chaos: each DC's fault menu plus WAN cuts and heals;
 * then a WAN cut under which each DC must still serve its own clients while every
 * cross-DC call fails, and a heal after which cross-DC calls succeed again. Checked: per
 * DC linearizability (its own and the cross-DC operations aimed at it), no acknowledged
 * add lost in the DC it targeted, nothing written for one DC ever in the other, and no
 * cross-DC success that lived wholly inside a WAN cut.
 */
export async function runTwoDcSeed(seed: number, opts: TwoDcOptions = {}): Promise<TwoDcReport> {
  const started = performance.now()
  const v = new Violations()
  const coverageExtra: Record<string, number> = {}
  const world = createSimWorld(seed, {
    logs: 'collect',
    logLimit: 400,
    onLog: (rec) => {
      if (rec.level === 'error' && /\.raft$/.test(rec.name)) v.add(`error log ${rec.name}: ${rec.msg} ${JSON.stringify(rec.fields ?? {})}`)
    },
  })
  const light = {servers: 3, clientAgents: 0, agentClients: 0, safetyMs: opts.safetyMs ?? 4_000}
  const params = {
    dc1: drawServerParams(seed, world.rng('params:dc1'), light),
    dc2: drawServerParams(seed, world.rng('params:dc2'), light),
  }
  // Light runs: at most two clients per route, thinking 40–100 ms (four routes share each DC).
  for (const dc of DCS) {
    params[dc].directClients = Math.min(params[dc].directClients, 2)
    params[dc].thinkMaxMs = 40 + params[dc].thinkMaxMs
  }
  // One RPC network between every server (the WAN rides it too); its shape is dc1's draw.
  const rpcNet = new SimNetwork(world, world.rng('rpc-net'), params.dc1.rpcNet)
  const raftNets = {dc1: new SimNetwork(world, world.rng('raft-net:dc1'), params.dc1.raftNet), dc2: new SimNetwork(world, world.rng('raft-net:dc2'), params.dc2.raftNet)}
  const clusters: Partial<Record<Dc, ServerCluster>> = {}
  const all = (): ServerCluster[] => DCS.map((d) => clusters[d]!)
  const rpc = new SimRpc(world, rpcNet, world.rng('rpc'),
    (addr) => all().map((c) => c.resolveAddr(addr)).find((id) => id !== undefined),
    (id) => all().map((c) => c.endpoint(id)).find((e) => e !== undefined))
  const wanDetect = Math.max(params.dc1.failureDetectMs, params.dc2.failureDetectMs)
  const wanAlive = Math.max(params.dc1.aliveDetectMs, params.dc2.aliveDetectMs)
  const wan = new SimWan(world, rpcNet, all, wanDetect, wanAlive)
  DCS.forEach((dc, i) => {
    const checks = {violations: v, election: new ElectionSafety(v), sms: new StateMachineSafety(v), terms: new Monotonic(v, 'term')}
    clusters[dc] = new ServerCluster(world, raftNets[dc], rpcNet, params[dc], checks, {datacenter: dc, first: 3 * i, rpc: () => rpc, wan: (id) => wan.viewFrom(dc, id)})
  })
  const c = clusters as Record<Dc, ServerCluster>

  const histories = {dc1: new History(() => world.nowMs()), dc2: new History(() => world.nowMs())}
  const workloads: {home: Dc; target: Dc; w: ServerWorkload}[] = []
  for (const home of DCS) for (const target of DCS) {
    workloads.push({home, target, w: new ServerWorkload(world, c[home], params[home], world.rng(`workload:${home}>${target}`), v, {target, prefix: prefix(home, target), history: histories[target]})})
  }
  const nemeses = DCS.map((dc) => {
    const cl = c[dc]
    const oneChannel = (kind: string, t: NemesisTools): boolean => {
      const net = kind === 'partition-rpc-only' ? rpcNet : kind === 'partition-raft-only' ? raftNets[dc] : undefined
      if (!net) return false
      const shuffled = t.shuffle(cl.ids)
      const cut = 1 + t.rng.int(cl.ids.length - 1)
      net.partition([shuffled.slice(0, cut), shuffled.slice(cut)])
      t.note(`${dc} ${kind}`)
      t.later(() => t.heal())
      return true
    }
    return new Nemesis(world, cl, params[dc], world.rng(`nemesis:${dc}`), oneChannel)
  })
  // WAN faults: cuts of random length at random times during the chaos phase.
  const wanRng = world.rng('wan-nemesis')
  const wanLog: string[] = []
  let wanRunning = false
  const armWan = (): void => {
    world.schedule('wan-nemesis', 500 + wanRng.float() * 2_500, () => {
      if (!wanRunning) return
      wan.cut()
      wanLog.push(`${Math.round(world.nowMs())}ms WAN cut`)
      world.schedule('wan-nemesis', 300 + wanRng.float() * 3_000, () => {
        if (!wanRunning) return
        wan.heal()
        wanLog.push(`${Math.round(world.nowMs())}ms WAN heal`)
        armWan()
      }, 'wan-heal')
    }, 'wan-cut')
  }

  const maxEvents = 3_000_000
  const until = (pred: () => boolean, withinMs: number) => world.runUntil(() => v.any || pred(), {deadlineMs: world.nowMs() + withinMs, maxEvents})
  const electionMs = Math.max(...DCS.map((dc) => (2 * 10 * 20 * params[dc].raftMultiplier) / Math.min(...params[dc].clocks.map((k) => k.rate))))
  const leaders = () => DCS.every((dc) => c[dc].stableLeader() !== undefined)
  // Predicates that scan the histories are evaluated once per 20 virtual ms, not per event.
  const throttled = (pred: () => boolean): (() => boolean) => {
    let next = -1
    let last = false
    return () => {
      if (world.nowMs() < next) return last
      next = world.nowMs() + 20
      return (last = pred())
    }
  }
  const require = async (what: string, pred: () => boolean, withinMs: number) => {
    if (!v.any && !(await until(throttled(pred), withinMs)) && !v.any) v.add(`liveness: ${what} within ${Math.round(withinMs)}ms`)
  }
  let checkpoints = 0
  const tick = () => {
    for (const dc of DCS) c[dc].checkpoint()
    if (++checkpoints % 8 === 0) for (const dc of DCS) c[dc].checkLogs()
    world.schedule('checker', 250, tick, 'check')
  }

  for (const dc of DCS) c[dc].start()
  wan.coordinates.start()
  world.schedule('checker', 250, tick, 'check')
  await require('no stable leader in each DC after start', leaders, 3_000 + 20 * electionMs + 5_000)
  for (const {w} of workloads) w.start()
  for (const n of nemeses) n.start()
  wanRunning = true
  armWan()
  if (!v.any) await until(() => false, light.safetyMs)

  // Heal everything, then settle.
  wanRunning = false
  wan.heal()
  for (const n of nemeses) n.stopAndHeal()
  for (const dc of DCS) raftNets[dc].setLossy(false)
  rpcNet.setLossy(false)
  const transferEnd = Math.max(...nemeses.map((n) => (n.lastTransferAtMs < 0 ? 0 : n.lastTransferAtMs + electionMs)))
  const settleBy = Math.max(rpcNet.faultyInFlightUntil(), ...DCS.map((dc) => raftNets[dc].faultyInFlightUntil()), transferEnd, world.nowMs() + wanAlive)
  if (!v.any) await until(() => world.nowMs() >= settleBy, settleBy - world.nowMs() + 1_000)
  await require('no stable leader in each DC after heal', () => leaders() && wan.joined, 10 * electionMs + 2_000)

  // The WAN cut: local service goes on, cross-DC calls fail.
  const callMs = 7_000 + 12_000
  const okAfter = (home: Dc, target: Dc, from: number) => histories[target].ops.filter((o) => o.client.startsWith(prefix(home, target)) && o.status === 'ok' && o.invokeMs >= from).length
  const failedWithin = (home: Dc, target: Dc, from: number, to: number) =>
    histories[target].ops.filter((o) => o.client.startsWith(prefix(home, target)) && (o.status === 'fail' || o.status === 'info') && o.invokeMs >= from && o.invokeMs <= to).length
  // Every client route works again (a client may have been stuck on a call from the chaos).
  const healedAt = world.nowMs()
  await require('some route had no success after the heal (before the final WAN cut)',
    () => DCS.every((home) => DCS.every((target) => okAfter(home, target, healedAt) > 0)), wanAlive + 2 * callMs)
  const cutAt = world.nowMs()
  if (!v.any) {
    wan.cut()
    wanLog.push(`${Math.round(cutAt)}ms final WAN cut`)
  }
  // Under the cut: each DC completes operations of its own clients, and cross-DC calls
  // fail (past WAN failure detection they fail at once: No path to datacenter).
  const cutDone = () => world.nowMs() >= cutAt + wanDetect + 500 &&
    DCS.every((dc) => okAfter(dc, dc, cutAt) > 0) &&
    failedWithin('dc1', 'dc2', cutAt, Infinity) > 0 && failedWithin('dc2', 'dc1', cutAt, Infinity) > 0
  const cutPhaseMs = opts.cutPhaseMs ?? wanDetect + 500 + 2 * callMs
  await require(`under the final WAN cut, each DC served its own clients and cross-DC calls failed (local ok: ${DCS.map((dc) => okAfter(dc, dc, cutAt)).join('/')}; cross failed: ${failedWithin('dc1', 'dc2', cutAt, Infinity)}/${failedWithin('dc2', 'dc1', cutAt, Infinity)})`, cutDone, cutPhaseMs)
  if (!v.any) {
    wan.heal()
    wanLog.push(`${Math.round(world.nowMs())}ms final WAN heal`)
  }
  const healAt = world.nowMs()
  await require('cross-DC operations did not succeed again after the WAN heal',
    () => okAfter('dc1', 'dc2', healAt) >= 2 && okAfter('dc2', 'dc1', healAt) >= 2, wanAlive + 2 * callMs)

  if (!v.any) {
    for (const {w} of workloads) w.stop()
    await require('client operations still pending', () => workloads.every(({w}) => w.idle()), 2 * callMs)
  }
  for (const dc of DCS) await require(`${dc} servers did not converge`, () => c[dc].converged(), 30_000)

  const wholly = (o: HistoryOp) => wan.windows.some((w) => o.invokeMs >= w.from && o.completeMs !== undefined && o.completeMs <= w.to)
  for (const target of DCS) {
    const h = histories[target]
    for (const o of h.ops) if (o.status === 'ok' && !o.client.startsWith(prefix(target, target)) && wholly(o)) v.add(`WAN cut: a cross-DC operation succeeded wholly inside a cut: ${formatOp(o)}`)
  }

  if (!v.any) {
    for (const dc of DCS) {
      const leader = c[dc].stableLeader()
      if (!leader) {
        v.add(`liveness: ${dc} lost its leader after convergence`)
        continue
      }
      const local = workloads.find((x) => x.home === dc && x.target === dc)!.w
      const reads = local.keys().map((k) => local.finalRead(k, leader.id))
      let done = 0
      for (const r of reads) void r.then(() => done++)
      if (!(await until(() => done === reads.length, callMs))) v.add(`liveness: ${dc} final reads did not complete`)
      else for (const r of await Promise.all(reads)) if (r.status !== 'ok') v.add(`liveness: ${dc} final read failed: ${formatOp(r)}`)
    }
  }
  if (!v.any) {
    for (const dc of DCS) {
      const adds: SetAdd[] = workloads.filter((x) => x.target === dc).flatMap((x) => x.w.adds)
      for (const m of c[dc].up()) {
        const final = new Map<string, string>()
        const dec = new TextDecoder()
        for (const e of m.role.state().kvList('').entries) {
          const value = dec.decode(e.Value)
          if (e.Key.startsWith('add/')) final.set(e.Key, value)
          // Isolation: everything in this DC was written by a client aiming at it.
          const t = TARGET.exec(e.Key) ?? TARGET.exec(value)
          if (!t) v.add(`isolation on ${m.name} (${dc}): ${e.Key}=${value} was written by no client`)
          else if (t[2] !== dc) v.add(`isolation on ${m.name} (${dc}): ${e.Key}=${value} was written for ${t[2]}`)
        }
        for (const problem of checkSet(adds, final)) v.add(`durability on ${m.name} (${dc}): ${problem}`)
      }
    }
    // One cluster ID per datacenter (system metadata), equal on its servers, different between the two; and
    // two differently named datacenters are never taken for a conflict.
    const idsOf = (dc: Dc) => new Set(c[dc].up().map((m) => m.role.clusterId.current ?? '(none)'))
    for (const dc of DCS) {
      const ids = idsOf(dc)
      if (ids.size !== 1 || ids.has('(none)')) v.add(`cluster identity ${dc}: its servers know ${[...ids].join(', ')}`)
      for (const m of c[dc].up()) {
        const conflicts = m.role.wanRouter.conflicts()
        if (conflicts.length) v.add(`cluster identity: ${m.name} (${dc}) sees a name conflict: ${JSON.stringify(conflicts)}`)
      }
    }
    if ([...idsOf('dc1')].some((id) => idsOf('dc2').has(id))) v.add('cluster identity: dc1 and dc2 share an ID')
    // WAN coordinates: every server ranks its own datacenter first (the model puts it at
    // least 25 ms nearer), and forwards to the other datacenter's server its coordinates
    // estimate nearest; how often that is the truly nearest one is coverage, not a check.
    const nodes = wan.nodes()
    for (const dc of DCS) {
      const other = DCS.find((d) => d !== dc)!
      for (const m of c[dc].up()) {
        const ranked = m.role.wanRouter.datacenters()
        if (ranked.join(',') !== [dc, other].join(',')) v.add(`WAN coordinates: ${m.name} (${dc}) ranks datacenters ${ranked.join(', ')}`)
        const me = nodes.find((n) => n.name === `${m.name}.${dc}`)!
        const alive = new Set(wan.members(dc).filter((x) => x.status === MemberStatus.alive).map((x) => x.name))
        const theirs = nodes.filter((n) => n.dc === other && alive.has(n.name))
        const first = m.role.wanRouter.serversOf(other)[0]
        if (!first || theirs.length === 0) continue
        const chosenId = c[other].resolveAddr(first)
        const chosen = theirs.find((n) => chosenId !== undefined && n.name === `${c[other].names.get(chosenId)}.${other}`)
        const best = Math.min(...theirs.map((n) => wan.coordinates.trueRttMs(me, n)))
        coverageExtra.nearestPicks = (coverageExtra.nearestPicks ?? 0) + 1
        if (chosen && wan.coordinates.trueRttMs(me, chosen) === best) coverageExtra.nearestPicksExact = (coverageExtra.nearestPicksExact ?? 0) + 1
        if (chosen) coverageExtra.nearestPickExcessMsX10 = Math.max(coverageExtra.nearestPickExcessMsX10 ?? 0, Math.round(10 * (wan.coordinates.trueRttMs(me, chosen) - best)))
      }
    }
    for (const dc of DCS) {
      for (const {key, result} of checkHistory(histories[dc])) if (!result.ok) v.add(`linearizability ${dc} ${key}: ${result.unknown ? 'checker gave up: ' : ''}${result.reason}`)
      for (const problem of checkStaleReads(histories[dc])) v.add(`${dc}: ${problem}`)
    }
  }
  for (const dc of DCS) {
    c[dc].checkpoint()
    c[dc].checkLogs()
  }

  const count = (dc: Dc, pred: (o: HistoryOp) => boolean) => histories[dc].ops.filter((o) => o.client !== 'final' && pred(o)).length
  const coverage: Record<string, number> = {wanCuts: wan.windows.length, wanProbes: wan.coordinates.probes, ...coverageExtra}
  for (const home of DCS) for (const target of DCS) {
    const mine = (o: HistoryOp) => o.client.startsWith(prefix(home, target))
    coverage[`${home}>${target} ok`] = count(target, (o) => mine(o) && o.status === 'ok')
    coverage[`${home}>${target} writesOk`] = count(target, (o) => mine(o) && o.status === 'ok' && o.op.kind !== 'read')
    coverage[`${home}>${target} defaultReadsOk`] = count(target, (o) => mine(o) && o.status === 'ok' && o.op.kind === 'read' && o.op.mode === 'default')
    coverage[`${home}>${target} consistentReadsOk`] = count(target, (o) => mine(o) && o.status === 'ok' && o.op.kind === 'read' && o.op.mode === undefined)
    coverage[`${home}>${target} failed`] = count(target, (o) => mine(o) && (o.status === 'fail' || o.status === 'info'))
  }
  coverage.crashes = c.dc1.crashes + c.dc2.crashes
  return {
    seed,
    params,
    ok: !v.any,
    violations: [...v.list],
    events: world.eventCount(),
    virtualMs: Math.round(world.nowMs()),
    realMs: Math.round(performance.now() - started),
    digest: world.digest(),
    coverage,
    faults: [...nemeses.flatMap((n, i) => n.log.map((l) => `${DCS[i]}: ${l}`)), ...wanLog].map(shortIds),
    logTail: v.any ? world.logs().slice(-80).map(shortIds) : [],
  }
}

function shortIds(line: string): string {
  return line.replace(/00000000-0000-4000-8000-0*(\d+)/g, 's$1')
}

export function formatTwoDcReport(r: TwoDcReport): string {
  return [
    `two-datacenter simulation failed: ${replayTwoDcCommand(r.seed)}`,
    `params: ${JSON.stringify(r.params)}`,
    `violations:\n  ${r.violations.join('\n  ')}`,
    `run: ${r.events} events, ${r.virtualMs} virtual ms, digest ${r.digest}, coverage ${JSON.stringify(r.coverage)}`,
    `faults:\n  ${r.faults.slice(-40).join('\n  ')}`,
    `log tail:\n  ${r.logTail.join('\n  ')}`,
  ].join('\n')
}
