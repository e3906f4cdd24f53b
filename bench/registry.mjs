// Service registry benchmark (issue 3): registrations through the agent API, the
// discovery read at 5,000 instances, and 1,000 parked blocking health queries woken
// by one check flip. Prints figures; asserts nothing.
import http from 'node:http'
import {load, request, rssMb, startAgent} from './lib.mjs'

const SERVICES = Number(process.env.DC_BENCH_SERVICES ?? 10_000)
const INSTANCES = Math.min(5_000, SERVICES)
const WAITERS = Number(process.env.DC_BENCH_WAITERS ?? 1_000)

const results = {services: SERVICES, instances_of_web: INSTANCES, waiters: WAITERS}
const a = await startAgent()
await new Promise((r) => setTimeout(r, 300))
results.rss_idle_mb = rssMb(a.pid)

// 1. Register SERVICES services, each with a TTL check; the first INSTANCES are instances of "web".
const body = (i) =>
  JSON.stringify(
    i < INSTANCES
      ? {Name: 'web', ID: `web-${i}`, Port: 10_000 + (i % 50_000), Tags: ['v1'], Check: {TTL: '10m'}}
      : {Name: `svc-${i}`, Port: 20_000 + (i % 40_000), Tags: ['bench'], Meta: {n: String(i)}, Check: {TTL: '10m'}},
  )
results.register = await load(SERVICES, 64, async (i) => {
  const r = await request(a.addr, 'PUT', '/v1/agent/service/register', body(i))
  if (r.status !== 200) throw new Error(`register ${i}: ${r.status} ${r.body}`)
})
results.rss_after_register_mb = rssMb(a.pid)

// 2. Make every web instance pass, then time the discovery read.
results.ttl_pass = await load(INSTANCES, 64, async (i) => {
  const r = await request(a.addr, 'PUT', `/v1/agent/check/pass/service:web-${i}`)
  if (r.status !== 200) throw new Error(`pass ${i}: ${r.status} ${r.body}`)
})
const passing = await request(a.addr, 'GET', '/v1/health/service/web?passing')
results.health_passing_count = JSON.parse(String(passing.body)).length
results.health_passing_bytes = passing.body.length
results.health_service_passing_1_client = await load(100, 1, () => request(a.addr, 'GET', '/v1/health/service/web?passing'))
results.health_service_passing_8_clients = await load(400, 8, () => request(a.addr, 'GET', '/v1/health/service/web?passing'))
results.rss_after_reads_mb = rssMb(a.pid)

// 3. WAITERS parked blocking queries on the same health query, woken by one TTL flip.
{
  const [host, port] = a.addr.split(':')
  const index = await new Promise((resolve) =>
    http.get({host, port, path: '/v1/health/service/web?passing'}, (res) => {
      res.resume()
      resolve(res.headers['x-consul-index'])
    }),
  )
  const pool = new http.Agent({keepAlive: false, maxSockets: Infinity})
  let answered = 0
  let accepted = 0
  const done = new Promise((resolve) => {
    for (let i = 0; i < WAITERS; i++) {
      const req = http.get({host, port, path: `/v1/health/service/web?passing&index=${index}&wait=5m`, agent: pool}, (res) => {
        res.resume()
        res.on('end', () => {
          if (++answered === WAITERS) resolve(performance.now())
        })
      })
      req.on('socket', (s) => s.on('connect', () => accepted++))
      req.on('error', () => {
        if (++answered === WAITERS) resolve(performance.now())
      })
    }
  })
  // Let every request reach the agent and park (bounded wait on the connect count).
  for (let t = 0; t < 200 && accepted < WAITERS; t++) await new Promise((r) => setTimeout(r, 25))
  await new Promise((r) => setTimeout(r, 500))
  results.rss_with_parked_waiters_mb = rssMb(a.pid)
  const flip = performance.now()
  await request(a.addr, 'PUT', '/v1/agent/check/fail/service:web-0')
  const last = await done
  results.parked_waiters_connected = accepted
  results.flip_to_last_answer_ms = Math.round(last - flip)
  pool.destroy()
}

await a.stop()
console.log(JSON.stringify({bench: 'registry', date: new Date().toISOString(), ...results}, null, 2))
