// Web UI: first load and time to interactive of the Services page with 1,000 services,
// and the bytes transferred, in Debian's headless chromium (skipped when it is absent).
// "Interactive" = every one of the 1,000 rows rendered with its instance count and health
// filled in (the page's data is complete and it answers input), measured in the page.
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium} from 'playwright-core'
import {load, request, startAgent} from './lib.mjs'

const CHROMIUM = '/usr/bin/chromium'
const SERVICES = 1000
const NODES = 20
const RUNS = 5

if (!existsSync(CHROMIUM)) {
  console.log(`ui: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`)
  process.exit(0)
}

const agent = await startAgent({args: ['-ui']})
try {
  // 1,000 services, 50 per node on 20 nodes, each instance with a passing check.
  await load(SERVICES, 16, async (i) => {
    const node = `node-${i % NODES}`
    const body = JSON.stringify({
      Node: node, Address: `10.0.${i % NODES}.1`,
      Service: {Service: `svc-${String(i).padStart(4, '0')}`, ID: `svc-${i}`, Port: 8000 + i, Tags: [`t${i % 7}`]},
      Check: {CheckID: `svc-${i}-ok`, Name: 'ok', Status: 'passing', ServiceID: `svc-${i}`},
    })
    const r = await request(agent.addr, 'PUT', '/v1/catalog/register', body)
    if (r.status !== 200) throw new Error(`register: ${r.status} ${r.body}`)
  })

  const results = []
  for (let run = 0; run < RUNS; run++) {
    const profile = mkdtempSync(join(tmpdir(), 'dc-bench-chromium-'))
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: {width: 1280, height: 800},
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    try {
      const page = await ctx.newPage()
      const cold = await measure(page, `http://${agent.addr}/ui/dc1/services`)
      // Same profile again: hashed assets come from the cache (immutable), index.html revalidates.
      const warm = await measure(page, `http://${agent.addr}/ui/dc1/services`)
      results.push({cold, warm})
    } finally {
      await ctx.close()
      rmSync(profile, {recursive: true, force: true})
    }
  }
  const med = (f) => {
    const xs = results.map(f).sort((a, b) => a - b)
    return xs[Math.floor(xs.length / 2)]
  }
  const kib = (b) => `${(b / 1024).toFixed(1)} KiB`
  console.log(`ui: Services page, ${SERVICES} services on ${NODES} nodes, median of ${RUNS} runs (fresh browser profile each)`)
  console.log(`  cold: first contentful paint ${med((r) => r.cold.fcp).toFixed(0)} ms, DOMContentLoaded ${med((r) => r.cold.dcl).toFixed(0)} ms, interactive (1,000 rows with counts) ${med((r) => r.cold.tti).toFixed(0)} ms`)
  console.log(`  cold bytes: ${kib(med((r) => r.cold.assetBytes))} app (html+js+css, gzip), ${kib(med((r) => r.cold.apiBytes))} API in ${med((r) => r.cold.apiRequests)} requests`)
  console.log(`  warm (cached assets): first contentful paint ${med((r) => r.warm.fcp).toFixed(0)} ms, interactive ${med((r) => r.warm.tti).toFixed(0)} ms, ${kib(med((r) => r.warm.assetBytes))} app bytes`)
} finally {
  await agent.stop()
}

async function measure(page, url) {
  await page.goto(url, {waitUntil: 'commit'})
  await page.waitForFunction(
    (n) => {
      const rows = document.querySelectorAll('tbody tr[data-service]')
      return rows.length === n + 1 && [...rows].every((r) => r.querySelector('td.num')?.textContent !== '…')
    },
    SERVICES,
    {timeout: 60_000, polling: 'raf'},
  )
  return page.evaluate(() => {
    const tti = performance.now()
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN
    const nav = performance.getEntriesByType('navigation')[0]
    const resources = performance.getEntriesByType('resource')
    const isApi = (e) => new URL(e.name).pathname.startsWith('/v1/')
    const sum = (es) => es.reduce((a, e) => a + e.transferSize, 0)
    return {
      tti, fcp, dcl: nav.domContentLoadedEventEnd,
      assetBytes: nav.transferSize + sum(resources.filter((e) => !isApi(e))),
      apiBytes: sum(resources.filter(isApi)),
      apiRequests: resources.filter(isApi).length,
    }
  })
}
