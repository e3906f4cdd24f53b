import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Random} from './env/types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The node's UUID: -node-id if given, else `<data_dir>/node-id` (created on first
 * start, as Consul does), else a fresh one for an in-memory dev agent.
 */
export function loadNodeId(configured: string | undefined, dataDir: string | undefined, random: Random): string {
  if (configured) {
    if (!UUID.test(configured)) throw new Error(`node_id "${configured}" is not a valid UUID`)
    return configured.toLowerCase()
  }
  if (!dataDir) return random.uuid()
  const file = join(dataDir, 'node-id')
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim()
    if (!UUID.test(id)) throw new Error(`${file} does not hold a valid UUID; remove it to generate a new one`)
    return id
  }
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const id = random.uuid()
  writeFileSync(file, id, {mode: 0o600})
  return id
}
