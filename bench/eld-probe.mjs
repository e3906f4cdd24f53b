// Preloaded into a benchmarked agent (node --import ./bench/eld-probe.mjs): measures the
// agent's own event-loop delay with perf_hooks and writes it to DC_BENCH_ELD_FILE once a
// second, counting from DC_BENCH_ELD_WARMUP_MS after start (start-up work excluded).
import {writeFileSync} from 'node:fs'
import {monitorEventLoopDelay} from 'node:perf_hooks'

const file = process.env.DC_BENCH_ELD_FILE
if (file) {
  const h = monitorEventLoopDelay({resolution: 10})
  h.enable()
  setTimeout(() => {
    h.reset()
    const ms = (ns) => +(ns / 1e6).toFixed(2)
    setInterval(() => {
      writeFileSync(file, JSON.stringify({p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count}))
    }, 1000).unref()
  }, Number(process.env.DC_BENCH_ELD_WARMUP_MS ?? 5000)).unref()
}
