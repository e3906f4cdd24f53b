// DNS as a user runs it: a `dc agent -dev` process answering over its UDP socket, measured with
// dnsperf (Debian) in the same run as nsd (Debian, authoritative for a zone with the same
// answer) and the Node floor (a Node UDP server answering one fixed packet, no DNS work). The
// machine is noisy, so each round runs all three back to back (order rotated) and the figures
// that count are the ratios within a round.
//
//   npm run bench -- dns-agent
//   DNS_BENCH_SECONDS=5 DNS_BENCH_ROUNDS=3 node bench/dns-agent.mjs
//   DNS_BENCH_PROFILE=/tmp/prof node bench/dns-agent.mjs   # the agent runs under --cpu-prof
//   DNS_BENCH_BASELINE=/tmp/old/bin/run.js node bench/dns-agent.mjs   # + another build's agent in each round
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import dnsPacket from 'dns-packet'
import {dnsperf, hasTool, startFloor, startNsd, waitForDns} from './dns-peers.mjs'
import {request, startAgent} from './lib.mjs'

const SECONDS = Number(process.env.DNS_BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.DNS_BENCH_ROUNDS ?? 3)
const LOAD = {seconds: SECONDS, clients: 4, outstanding: 64}
const NAME = 'web.service.consul'

if (!hasTool('dnsperf', ['-h']) || !hasTool('nsd', ['-v'])) {
  console.log('dnsperf or nsd not installed (Debian: apt-get install dnsperf nsd): skipping')
  process.exit(0)
}

const query = dnsPacket.encode({type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{type: 'A', name: NAME}]})
const profile = process.env.DNS_BENCH_PROFILE
const agent = await startAgent({dev: true, dns: true, nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []})
const reg = await request(agent.addr, 'PUT', '/v1/catalog/register', JSON.stringify({Node: 'n1', Address: '10.0.0.1', Service: {ID: 'web-1', Service: 'web', Port: 8080}}))
if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${reg.body}`)
const agentAnswer = await waitForDns(agent.dnsPort, query)
const baselineJs = process.env.DNS_BENCH_BASELINE
const baseline = baselineJs ? await startAgent({dev: true, dns: true, runJs: baselineJs}) : undefined
if (baseline) {
  const r = await request(baseline.addr, 'PUT', '/v1/catalog/register', JSON.stringify({Node: 'n1', Address: '10.0.0.1', Service: {ID: 'web-1', Service: 'web', Port: 8080}}))
  if (r.status !== 200) throw new Error(`baseline register failed: ${r.status}`)
  await waitForDns(baseline.dnsPort, query)
}
const floor = await startFloor(agentAnswer, query)
const nsd = await startNsd('consul', ['web.service 0 IN A 10.0.0.1'], query)
const nsdAnswer = await waitForDns(nsd.port, query)
const show = (b) => {
  const p = dnsPacket.decode(b)
  return `${b.length} bytes, ${p.answers.map((a) => `${a.name} ${a.ttl} ${a.type} ${a.data}`).join('; ')}; ${p.authorities.length} authority, ${p.additionals.length} additional`
}
console.log(`## DNS: dc agent vs nsd vs the Node floor, \`${NAME} A\` (one instance), UDP, dnsperf -c ${LOAD.clients} -q ${LOAD.outstanding}, ${SECONDS} s per run`)
console.log(`${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`)
console.log(`agent answer: ${show(agentAnswer)}`)
console.log(`nsd answer:   ${show(nsdAnswer)}`)

const dir = mkdtempSync(join(tmpdir(), 'dns-bench-'))
const datafile = join(dir, 'queries')
writeFileSync(datafile, `${NAME} A\n`)
const peers = [['nsd', nsd.port], ['floor', floor.port], ['agent', agent.dnsPort], ...(baseline ? [['baseline', baseline.dnsPort]] : [])]
const rounds = []
for (let r = 0; r < ROUNDS; r++) {
  const got = {}
  for (let i = 0; i < peers.length; i++) {
    const [name, port] = peers[(i + r) % peers.length]
    got[name] = await dnsperf(port, datafile, LOAD)
  }
  rounds.push(got)
  const f = (x) => `${Math.round(x.qps).toLocaleString('en')} q/s (avg ${x.avgMs.toFixed(2)} ms, lost ${x.lost})`
  const base = got.baseline ? ` | baseline ${f(got.baseline)}, baseline/nsd ${(got.baseline.qps / got.nsd.qps).toFixed(2)}, baseline/floor ${(got.baseline.qps / got.floor.qps).toFixed(2)}` : ''
  console.log(`round ${r + 1}: nsd ${f(got.nsd)} | floor ${f(got.floor)} | agent ${f(got.agent)} | agent/nsd ${(got.agent.qps / got.nsd.qps).toFixed(2)}, floor/nsd ${(got.floor.qps / got.nsd.qps).toFixed(2)}, agent/floor ${(got.agent.qps / got.floor.qps).toFixed(2)}${base}`)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const ratio = (a, b) => median(rounds.map((g) => g[a].qps / g[b].qps)).toFixed(2)
console.log(`median ratios over ${ROUNDS} rounds: agent/nsd ${ratio('agent', 'nsd')}, floor/nsd ${ratio('floor', 'nsd')}, agent/floor ${ratio('agent', 'floor')}${baseline ? `, baseline/nsd ${ratio('baseline', 'nsd')}, baseline/floor ${ratio('baseline', 'floor')}` : ''}`)

await Promise.all([agent.stop(), floor.stop(), nsd.stop(), baseline?.stop()])
rmSync(dir, {recursive: true, force: true})
if (profile) console.log(`agent CPU profile written to ${profile}`)
