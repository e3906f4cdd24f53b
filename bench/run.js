#!/usr/bin/env node
// npm run bench: runs every benchmark script (bench/*.mjs except lib.mjs) in turn and prints its figures.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv[2]
// .ts benchmarks import test fixtures from sources, so they run through tsx.
const isBench = (f) => (f.endsWith('.mjs') || f.endsWith('.ts')) && !['lib.mjs', 'eld-probe.mjs', 'etcd-peer.mjs', 'dns-peers.mjs', 'dns-floor-server.mjs'].includes(f)
for (const f of readdirSync(dir).filter(isBench).sort()) {
  if (only && !f.includes(only)) continue
  console.log(`# ${f}`)
  const args = f.endsWith('.ts') ? ['--import', 'tsx', dir + f] : [dir + f]
  const r = spawnSync(process.execPath, args, {stdio: 'inherit'})
  if (r.status !== 0) console.log(`# ${f} exited with ${r.status}`)
}
