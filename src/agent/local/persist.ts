import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Logger} from '../env/types.js'
import {parseCheckDefinition, parseServiceDefinition, renderCheckDefinition, renderServiceDefinition} from '../services/index.js'
import type {CheckDefinition, ServiceDefinition} from '../services/types.js'

/** A maintenance check as persisted (no definition: it has no runner). */
export interface MaintenanceRecord {
  CheckID: string
  Name: string
  Notes: string
  ServiceID: string
}

export type PersistedCheck = {kind: 'check'; def: CheckDefinition} | {kind: 'maintenance'; record: MaintenanceRecord}

/**
 * Where API-registered services and checks survive a restart (Consul persists them
 * under data_dir; config-file ones are re-read from config instead).
 */
export interface LocalPersistence {
  saveService(def: ServiceDefinition): void
  deleteService(id: string): void
  saveCheck(check: PersistedCheck): void
  deleteCheck(id: string): void
  load(): {services: ServiceDefinition[]; checks: PersistedCheck[]}
}

/** -dev without a data dir: nothing survives. */
export function memoryPersistence(): LocalPersistence {
  return {saveService() {}, deleteService() {}, saveCheck() {}, deleteCheck() {}, load: () => ({services: [], checks: []})}
}

/**
 * One JSON file per registration, `<data_dir>/services/<sha256(id)>.json` and
 * `<data_dir>/checks/<sha256(id)>.json`, written atomically (temp file + rename).
 * A file that no longer parses is skipped with a warning rather than stopping the agent.
 */
export function filePersistence(dataDir: string, log: Logger): LocalPersistence {
  const servicesDir = join(dataDir, 'services')
  const checksDir = join(dataDir, 'checks')
  const file = (dir: string, id: string) => join(dir, `${createHash('sha256').update(id).digest('hex')}.json`)
  const write = (dir: string, id: string, body: unknown) => {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const path = file(dir, id)
    const tmp = `${path}.tmp`
    writeFileSync(tmp, JSON.stringify(body), {mode: 0o600})
    renameSync(tmp, path)
  }
  const readAll = (dir: string): {path: string; body: unknown}[] => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return []
    }
    const out: {path: string; body: unknown}[] = []
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      const path = join(dir, n)
      try {
        out.push({path, body: JSON.parse(readFileSync(path, 'utf8'))})
      } catch (e) {
        log.warn('skipping unreadable persisted registration', {file: path, error: (e as Error).message})
      }
    }
    return out
  }
  return {
    saveService: (def) => write(servicesDir, def.id, {Source: 'remote', Service: renderServiceDefinition(def)}),
    deleteService: (id) => rmSync(file(servicesDir, id), {force: true}),
    saveCheck: (c) => {
      if (c.kind === 'check') write(checksDir, c.def.id, {Source: 'remote', Check: renderCheckDefinition(c.def)})
      else write(checksDir, c.record.CheckID, {Source: 'remote', Maintenance: c.record})
    },
    deleteCheck: (id) => rmSync(file(checksDir, id), {force: true}),
    load() {
      const services: ServiceDefinition[] = []
      for (const {path, body} of readAll(servicesDir)) {
        try {
          services.push(parseServiceDefinition((body as {Service: unknown}).Service))
        } catch (e) {
          log.warn('skipping invalid persisted service', {file: path, error: (e as Error).message})
        }
      }
      const checks: PersistedCheck[] = []
      for (const {path, body} of readAll(checksDir)) {
        const b = body as {Check?: unknown; Maintenance?: MaintenanceRecord}
        try {
          if (b.Maintenance) checks.push({kind: 'maintenance', record: b.Maintenance})
          else {
            const def = parseCheckDefinition(b.Check)
            if (def) checks.push({kind: 'check', def})
          }
        } catch (e) {
          log.warn('skipping invalid persisted check', {file: path, error: (e as Error).message})
        }
      }
      return {services, checks}
    },
  }
}
