import {createSimWorld} from '../../src/agent/env/sim.js'
import {checkHistory, checkSet, ElectionSafety, Monotonic, StateMachineSafety, Violations} from './checkers.js'
import {SimCluster, type Mutants} from './cluster.js'
import {formatOp, type HistoryOp} from './history.js'
import {Nemesis} from './nemesis.js'
import {SimNetwork} from './network.js'
import {describeParams, drawParams, type ParamOverrides, type SimParams} from './params.js'
import {ADD_PREFIX, Workload, type WorkloadMutants} from './workload.js'

export interface RunOptions {
  overrides?: ParamOverrides
  mutants?: Mutants & WorkloadMutants
  /** Virtual ms between quiescent-point checks (default 250). */
  checkEveryMs?: number
  /**
   * Scales the drawn safety-phase length (after drawing, so every other parameter and
   * stream is the seed's own). `npm test` runs many seeds at 0.5; the checks are the same.
   */
  safetyScale?: number
}

export interface SimReport {
  seed: number
  params: SimParams
  ok: boolean
  violations: string[]
  events: number
  virtualMs: number
  realMs: number
  digest: string
  ops: {ok: number; fail: number; info: number; adds: number}
  leaders: number
  /** What the run exercised (FoundationDB CODE_PROBE style): a seed that hits nothing proves little. */
  coverage: Record<string, number>
  faults: string[]
  /** Tail of the collected logs (only when the run failed). */
  logTail: string[]
}

/** The commands that replay one seed (`--light`: as npm test runs it, safety phase halved). */
export function replayCommand(seed: number, light = ''): string {
  return light ? `DC_SIM_SEED=${seed} npx vitest run test/sim (or npx tsx test/sim/main.ts --seed ${seed} --light)` : `npx tsx test/sim/main.ts --seed ${seed}`
}

/**
 * One simulated run: draw the scenario from the seed, run the safety phase (workload +
 * nemesis + continuous checks), heal everything, demand a leader, fresh writes and
 * convergence within bounded virtual time (liveness), read every key back through the
 * leader, then check the histories. A pure function of (seed, options, code).
 */
export async function runSeed(seed: number, opts: RunOptions = {}): Promise<SimReport> {
  const started = performance.now()
  const v = new Violations()
  const world = createSimWorld(seed, {
    logs: 'collect',
    logLimit: 400,
    onLog: (rec) => {
      if (rec.level === 'error') v.add(`error log ${rec.name}: ${rec.msg} ${JSON.stringify(rec.fields ?? {})}`)
    },
  })
  const params = drawParams(seed, world.rng('params'), opts.overrides)
  if (opts.safetyScale !== undefined) params.safetyMs = Math.round(params.safetyMs * opts.safetyScale)
  const checks = {violations: v, election: new ElectionSafety(v), sms: new StateMachineSafety(v), terms: new Monotonic(v, 'term')}
  const net = new SimNetwork(world, world.rng('net'), params.net)
  const cluster = new SimCluster(world, net, params, checks, opts.mutants)
  const workload = new Workload(world, cluster, params, world.rng('workload'), v, opts.mutants)
  const nemesis = new Nemesis(world, cluster, params, world.rng('nemesis'))
  const checkEvery = opts.checkEveryMs ?? 250
  let checkpoints = 0
  const tick = () => {
    cluster.checkpoint()
    if (++checkpoints % 8 === 0) cluster.checkLogs()
    world.schedule('checker', checkEvery, tick, 'check')
  }

  cluster.start()
  world.schedule('checker', checkEvery, tick, 'check')
  workload.start()
  nemesis.start()
  const maxEvents = 400_000
  const until = (pred: () => boolean, withinMs: number) => world.runUntil(() => v.any || pred(), {deadlineMs: world.nowMs() + withinMs, maxEvents})

  // Safety phase.
  await until(() => false, params.safetyMs)
  // Liveness phase: heal everything and demand progress within bounds.
  const slowestRate = Math.min(...params.clocks.map((c) => c.rate))
  const electionMs = (2 * params.electionTicks * params.tickMs) / slowestRate
  if (!v.any) {
    nemesis.stopAndHeal()
    net.setLossy(false)
    // The faults are over only once nothing they set in motion is still under way: messages
    // sent during the faulty phase (the slow tail can hold one, and on a FIFO link all that
    // follows it, for up to slowMaxMs) and a leadership transfer, which the leader gives up
    // after one election timeout but whose MsgTimeoutNow may still be on the wire then
    // (seed 90741: a stale MsgTimeoutNow, delivered after the heal, forced an election).
    const transferEnd = nemesis.lastTransferAtMs < 0 ? 0 : nemesis.lastTransferAtMs + electionMs
    await until(() => world.nowMs() >= Math.max(net.faultyInFlightUntil(), transferEnd), params.net.slowMaxMs + 2 * electionMs + 1_000)
    workload.markHeal()
    if (!(await until(() => cluster.stableLeader() !== undefined, 10 * electionMs)) && !v.any) {
      v.add(`liveness: no stable leader within ${10 * electionMs}ms (10 election timeouts) after heal`)
    }
  }
  if (!v.any) {
    const writesBy = world.nowMs() + params.requestTimeoutMs + 10 * electionMs
    if (!(await until(() => workload.okWritesAfter >= 3, writesBy - world.nowMs())) && !v.any) {
      v.add(`liveness: fewer than 3 writes acknowledged within ${params.requestTimeoutMs + 10 * electionMs}ms after heal`)
    }
  }
  if (!v.any) {
    workload.stop()
    if (!(await until(() => workload.idle(), 2 * params.requestTimeoutMs + 1_000)) && !v.any) {
      v.add(`liveness: client operations still pending: ${workload.history.pending().map(formatOp).join('; ')}`)
    }
  }
  if (!v.any && !(await until(() => cluster.converged(), 10 * electionMs + 5_000)) && !v.any) {
    v.add(`liveness: nodes did not converge: ${cluster.ids.map((id) => `${id} ${JSON.stringify(pickStats(cluster.member(id).node.stats()))}`).join(', ')}`)
  }
  if (!v.any) await finalChecks(v, cluster, workload, until, electionMs)
  cluster.checkpoint()
  cluster.checkLogs()

  const ops = {ok: 0, fail: 0, info: 0, adds: workload.adds.length}
  for (const o of workload.history.ops) if (o.status !== 'pending') ops[o.status]++
  const ok = !v.any
  return {
    seed,
    params,
    ok,
    violations: [...v.list],
    events: world.eventCount(),
    virtualMs: Math.round(world.nowMs()),
    realMs: Math.round(performance.now() - started),
    digest: world.digest(),
    ops,
    leaders: checks.election.leaderOfTerm.size,
    coverage: {...coverage(workload, cluster, net), transfers: nemesis.log.filter((l) => /transfer leadership \S+ -> \S+$/.test(l)).length},
    faults: nemesis.log,
    logTail: ok ? [] : world.logs().slice(-60),
  }
}

/** Final reads through the leader, then durability (set) and linearizability (register) checks. */
async function finalChecks(
  v: Violations,
  cluster: SimCluster,
  workload: Workload,
  until: (pred: () => boolean, withinMs: number) => Promise<boolean>,
  electionMs: number,
): Promise<void> {
  const leader = cluster.stableLeader()
  if (!leader) return void v.add('liveness: leader lost after convergence')
  const reads = workload.keys().map((k) => workload.finalRead(k, leader))
  let done = 0
  for (const r of reads) void r.then(() => done++)
  if (!(await until(() => done === reads.length, 10 * electionMs))) return void v.add('liveness: final reads did not complete')
  for (const r of await Promise.all(reads)) if (r.status !== 'ok') v.add(`liveness: final read failed: ${formatOp(r)}`)
  // Converged, so every node holds the same state: check the set workload on each.
  for (const m of cluster.up()) {
    const final = new Map<string, string>()
    for (const e of m.fsm.state.kvList(ADD_PREFIX).entries) final.set(e.Key, new TextDecoder().decode(e.Value))
    for (const problem of checkSet(workload.adds, final)) v.add(`durability on ${m.id}: ${problem}`)
  }
  for (const {key, result} of checkHistory(workload.history)) if (!result.ok) v.add(`linearizability ${key}: ${result.unknown ? "checker gave up: " : ""}${result.reason}`)
}

function coverage(w: Workload, c: SimCluster, net: SimNetwork): Record<string, number> {
  const count = (pred: (o: HistoryOp) => boolean) => w.history.ops.filter(pred).length
  return {
    readsOk: count((o) => o.op.kind === 'read' && o.status === 'ok'),
    writesOk: count((o) => o.op.kind === 'write' && o.status === 'ok'),
    casSwapped: count((o) => o.op.kind === 'cas' && o.status === 'ok' && o.result?.swapped === true),
    casRefused: count((o) => o.op.kind === 'cas' && o.status === 'ok' && o.result?.swapped === false),
    info: count((o) => o.status === 'info'),
    addsOk: w.adds.filter((a) => a.status === 'ok').length,
    snapshotsSent: net.sentByType.get('MsgSnap') ?? 0,
    restores: c.restores,
    crashes: c.crashes,
    msgsLost: net.stats.lost,
    msgsCut: net.stats.cut,
  }
}

function pickStats(s: Record<string, string>): Record<string, string | undefined> {
  return {state: s.state, term: s.term, commit: s.commit_index, applied: s.applied_index, last: s.last_log_index}
}

/** A failure report: the replay command, the drawn parameters, what broke, and context. */
export function formatReport(r: SimReport, light = ''): string {
  return [
    `simulation failed: ${replayCommand(r.seed, light)}`,
    `params: ${describeParams(r.params)}`,
    `violations:\n  ${r.violations.join('\n  ')}`,
    `run: ${r.events} events, ${r.virtualMs} virtual ms, digest ${r.digest}, ops ${JSON.stringify(r.ops)}`,
    `faults:\n  ${r.faults.slice(-40).join('\n  ')}`,
    `log tail:\n  ${r.logTail.join('\n  ')}`,
  ].join('\n')
}
