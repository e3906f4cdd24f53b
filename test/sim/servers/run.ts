import {createSimWorld} from '../../../src/agent/env/sim.js'
import {checkHistory, checkSet, checkStaleReads, ElectionSafety, Monotonic, StateMachineSafety, Violations} from '../checkers.js'
import {formatOp} from '../history.js'
import {Nemesis, type NemesisTools} from '../nemesis.js'
import {SimNetwork} from '../network.js'
import {ADD_PREFIX} from '../workload.js'
import {ServerCluster} from './cluster.js'
import {drawServerParams, type ServerParamOverrides, type ServerSimParams} from './params.js'
import {ServerWorkload} from './workload.js'

export interface ServerRunOptions {
  overrides?: ServerParamOverrides
  /** Scales the drawn safety phase (npm test runs 0.5); every other draw is the seed's own. */
  safetyScale?: number
  checkEveryMs?: number
}

export interface ServerSimReport {
  seed: number
  params: ServerSimParams
  ok: boolean
  violations: string[]
  events: number
  virtualMs: number
  realMs: number
  digest: string
  ops: {ok: number; fail: number; info: number; adds: number}
  leaders: number
  coverage: Record<string, number>
  faults: string[]
  logTail: string[]
}

/** The commands that replay one seed. */
export function replayServerCommand(seed: number, light: boolean): string {
  return `DC_SIM_SEED=${seed} npx vitest run test/sim/servers (or npx tsx test/sim/servers/main.ts --seed ${seed}${light ? ' --light' : ''})`
}

/**
 * One whole-server run: draw the scenario, start N ServerRoles (bootstrap-expect or a
 * preset configuration), run the client workload under the nemesis with continuous
 * checks, heal, demand a stable leader, fresh writes and convergence within bounded
 * virtual time, read every key back through the leader, then check durability, the
 * linearizability of writes + consistent + default reads, and the stale reads.
 */
export async function runServerSeed(seed: number, opts: ServerRunOptions = {}): Promise<ServerSimReport> {
  const started = performance.now()
  const v = new Violations()
  const world = createSimWorld(seed, {
    logs: 'collect',
    logLimit: 400,
    onLog: (rec) => {
      // The Raft driver logs an error only when it stops itself on a broken invariant.
      if (rec.level === 'error' && /\.raft$/.test(rec.name)) v.add(`error log ${rec.name}: ${rec.msg} ${JSON.stringify(rec.fields ?? {})}`)
    },
  })
  const params = drawServerParams(seed, world.rng('params'), opts.overrides)
  if (opts.safetyScale !== undefined) params.safetyMs = Math.round(params.safetyMs * opts.safetyScale)
  const checks = {violations: v, election: new ElectionSafety(v), sms: new StateMachineSafety(v), terms: new Monotonic(v, 'term')}
  const raftNet = new SimNetwork(world, world.rng('raft-net'), params.raftNet)
  const rpcNet = new SimNetwork(world, world.rng('rpc-net'), params.rpcNet)
  const cluster = new ServerCluster(world, raftNet, rpcNet, params, checks)
  const workload = new ServerWorkload(world, cluster, params, world.rng('workload'), v)
  const oneChannel = (kind: string, t: NemesisTools): boolean => {
    const net = kind === 'partition-rpc-only' ? rpcNet : kind === 'partition-raft-only' ? raftNet : undefined
    if (!net) return false
    const shuffled = t.shuffle(cluster.ids)
    const cut = 1 + t.rng.int(cluster.ids.length - 1)
    const groups = [shuffled.slice(0, cut), shuffled.slice(cut)]
    net.partition(groups)
    t.note(`${kind === 'partition-rpc-only' ? 'RPC' : 'Raft'}-only partition ${groups.map((g) => g.map((id) => cluster.names.get(id)).join(',')).join(' | ')}`)
    t.later(() => t.heal())
    return true
  }
  const nemesis = new Nemesis(world, cluster, params, world.rng('nemesis'), oneChannel)
  let checkpoints = 0
  const checkEvery = opts.checkEveryMs ?? 250
  const tick = () => {
    cluster.checkpoint()
    if (++checkpoints % 8 === 0) cluster.checkLogs()
    world.schedule('checker', checkEvery, tick, 'check')
  }

  cluster.start()
  world.schedule('checker', checkEvery, tick, 'check')
  const maxEvents = 2_000_000
  const until = (pred: () => boolean, withinMs: number) => world.runUntil(() => v.any || pred(), {deadlineMs: world.nowMs() + withinMs, maxEvents})
  const tickMs = 20 * params.raftMultiplier
  const slowestRate = Math.min(...params.clocks.map((c) => c.rate))
  const electionMs = (2 * 10 * tickMs) / slowestRate
  // Bootstrap first: the faults start once the cluster has had a leader (a seed that never elects one says so).
  if (!(await until(() => cluster.stableLeader() !== undefined, params.aliveDetectMs + 20 * electionMs + 5_000)) && !v.any) {
    v.add(`liveness: no leader within ${params.aliveDetectMs + 20 * electionMs + 5_000}ms of start (${params.bootstrap} bootstrap)`)
  }
  workload.start()
  nemesis.start()

  if (!v.any) await until(() => false, params.safetyMs)
  if (!v.any) {
    nemesis.stopAndHeal()
    raftNet.setLossy(false)
    rpcNet.setLossy(false)
    const transferEnd = nemesis.lastTransferAtMs < 0 ? 0 : nemesis.lastTransferAtMs + electionMs
    const settleBy = Math.max(raftNet.faultyInFlightUntil(), rpcNet.faultyInFlightUntil(), transferEnd, world.nowMs() + params.aliveDetectMs)
    await until(() => world.nowMs() >= settleBy, settleBy - world.nowMs() + 1_000)
    workload.markHeal()
    if (!(await until(() => cluster.stableLeader() !== undefined, 10 * electionMs + 2_000)) && !v.any) {
      v.add(`liveness: no stable leader within ${10 * electionMs + 2_000}ms after heal`)
    }
  }
  // A client call may be held up to the hold timeout and then ride a forwarded call.
  const callMs = 7_000 + 12_000
  if (!v.any && !(await until(() => workload.okWritesAfter >= 3, callMs + 10 * electionMs)) && !v.any) {
    v.add(`liveness: fewer than 3 writes acknowledged within ${callMs + 10 * electionMs}ms after heal`)
  }
  if (!v.any) {
    workload.stop()
    if (!(await until(() => workload.idle(), 2 * callMs)) && !v.any) {
      v.add(`liveness: client operations still pending: ${workload.history.pending().map(formatOp).join('; ')}`)
    }
  }
  if (!v.any && !(await until(() => cluster.converged(), 30_000)) && !v.any) {
    v.add(`liveness: servers did not converge: ${cluster.ids.map((id) => `${cluster.names.get(id)} ${JSON.stringify(pickStats(cluster.member(id).role.raft.stats()))}`).join(', ')}`)
  }
  if (!v.any) {
    // As after the heal: on a healthy network a follower may still time out once and rejoin.
    // Delays are exponential and links FIFO, so one late heartbeat holds back the ones behind
    // it; seed 9372's slowest link has a ~43 ms mean against a 200 ms election timeout. A
    // leader must be agreed on again within ten election timeouts.
    await until(() => cluster.stableLeader() !== undefined, 10 * electionMs)
    const leader = cluster.stableLeader()
    if (!leader) v.add('liveness: leader lost after convergence')
    else {
      const reads = workload.keys().map((k) => workload.finalRead(k, leader.id))
      let done = 0
      for (const r of reads) void r.then(() => done++)
      if (!(await until(() => done === reads.length, callMs))) v.add('liveness: final reads did not complete')
      else for (const r of await Promise.all(reads)) if (r.status !== 'ok') v.add(`liveness: final read failed: ${formatOp(r)}`)
    }
  }
  if (!v.any) {
    for (const m of cluster.up()) {
      const final = new Map<string, string>()
      for (const e of m.role.state().kvList(ADD_PREFIX).entries) final.set(e.Key, new TextDecoder().decode(e.Value))
      for (const problem of checkSet(workload.adds, final)) v.add(`durability on ${m.name}: ${problem}`)
    }
    for (const {key, result} of checkHistory(workload.history)) if (!result.ok) v.add(`linearizability ${key}: ${result.unknown ? 'checker gave up: ' : ''}${result.reason}`)
    for (const problem of checkStaleReads(workload.history)) v.add(problem)
  }
  cluster.checkpoint()
  cluster.checkLogs()

  const ops = {ok: 0, fail: 0, info: 0, adds: workload.adds.length}
  for (const o of workload.history.ops) if (o.status !== 'pending') ops[o.status]++
  const count = (pred: (o: (typeof workload.history.ops)[number]) => boolean) => workload.history.ops.filter(pred).length
  const readsOk = (mode: string | undefined) => count((o) => o.op.kind === 'read' && o.op.mode === mode && o.status === 'ok' && o.client !== 'final')
  return {
    seed,
    params,
    ok: !v.any,
    violations: [...v.list],
    events: world.eventCount(),
    virtualMs: Math.round(world.nowMs()),
    realMs: Math.round(performance.now() - started),
    digest: world.digest(),
    ops,
    leaders: checks.election.leaderOfTerm.size,
    coverage: {
      consistentReadsOk: readsOk(undefined),
      defaultReadsOk: readsOk('default'),
      staleReadsOk: readsOk('stale'),
      writesOk: count((o) => o.op.kind === 'write' && o.status === 'ok'),
      casSwapped: count((o) => o.op.kind === 'cas' && o.status === 'ok' && o.result?.swapped === true),
      casRefused: count((o) => o.op.kind === 'cas' && o.status === 'ok' && o.result?.swapped === false),
      viaAgentOk: count((o) => o.client.startsWith('a') && o.status === 'ok'),
      info: count((o) => o.status === 'info'),
      addsOk: workload.adds.filter((a) => a.status === 'ok').length,
      rpcCalls: [...rpcNet.sentByType].filter(([k]) => k.startsWith('rpc:')).reduce((n, [, c]) => n + c, 0),
      snapshotsSent: raftNet.sentByType.get('MsgSnap') ?? 0,
      restores: cluster.restores,
      crashes: cluster.crashes,
    },
    faults: nemesis.log.map(shortIds),
    logTail: v.any ? world.logs().slice(-80).map(shortIds) : [],
  }
}

/** Server IDs (UUIDs) as their node names, for humans. */
function shortIds(line: string): string {
  return line.replace(/00000000-0000-4000-8000-0*(\d+)/g, 's$1')
}

function pickStats(s: Record<string, string>): Record<string, string | undefined> {
  return {state: s.state, term: s.term, commit: s.commit_index, applied: s.applied_index, last: s.last_log_index}
}

export function formatServerReport(r: ServerSimReport, light: boolean): string {
  return [
    `whole-server simulation failed: ${replayServerCommand(r.seed, light)}`,
    `params: ${JSON.stringify(r.params)}`,
    `violations:\n  ${r.violations.join('\n  ')}`,
    `run: ${r.events} events, ${r.virtualMs} virtual ms, digest ${r.digest}, ops ${JSON.stringify(r.ops)}`,
    `faults:\n  ${r.faults.slice(-40).join('\n  ')}`,
    `log tail:\n  ${r.logTail.join('\n  ')}`,
  ].join('\n')
}
