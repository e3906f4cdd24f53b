// Preloaded into a benchmarked agent (node --import ./bench/eld-probe.mjs): measures the
// agent's own event-loop delay with perf_hooks and writes it to DC_BENCH_ELD_FILE once a
// second, counting from DC_BENCH_ELD_WARMUP_MS after start (start-up work excluded).
// The histogram samples with a 10 ms timer and records the whole gap between samples, so the
// figures written are that gap minus the 10 ms: the time the loop was late.
import {writeFileSync} from 'node:fs'
import {monitorEventLoopDelay} from 'node:perf_hooks'

const file = process.env.DC_BENCH_ELD_FILE
if (file) {
  const RESOLUTION_MS = 10
  const h = monitorEventLoopDelay({resolution: RESOLUTION_MS})
  h.enable()
  setTimeout(() => {
    h.reset()
    const ms = (ns) => +Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(2)
    setInterval(() => {
      writeFileSync(file, JSON.stringify({p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count}))
    }, 1000).unref()
  }, Number(process.env.DC_BENCH_ELD_WARMUP_MS ?? 5000)).unref()
}
