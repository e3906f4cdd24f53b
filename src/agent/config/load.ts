import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {DurationError, parseDuration} from './duration.js'
import {IMPLEMENTED, KNOWN_UNIMPLEMENTED, NESTED, type KeyType} from './schema.js'
import {HclError, parseHcl} from './hcl.js'

/** A config problem that stops start-up: names the file, the key and the reason. */
export class ConfigError extends Error {}

export type RawConfig = Record<string, unknown>

/** Keys whose lists are appended across sources (Consul's merge rule); other scalars replace. */
const APPEND = new Set(['retry_join', 'retry_join_wan', 'start_join', 'recursors', 'services', 'checks', 'plugins'])

/** Reads one config file: JSON, or HCL for a name ending in .hcl (as Consul picks by extension). */
export function readConfigFile(path: string): RawConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new ConfigError(`Error reading ${path}: ${(e as Error).message}`)
  }
  if (path.endsWith('.hcl')) {
    try {
      return normalizeSingulars(parseHcl(text))
    } catch (e) {
      if (e instanceof HclError) throw new ConfigError(`Error parsing ${path}: ${e.message}`)
      throw e
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    throw new ConfigError(`Error parsing ${path}: ${(e as Error).message}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`Error parsing ${path}: the top level must be a JSON object`)
  return normalizeSingulars(parsed as RawConfig)
}

/** Files of a -config-dir in lexical order (*.json and *.hcl, not recursive), as Consul loads them. */
export function configDirFiles(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    throw new ConfigError(`Error reading config dir ${dir}: ${(e as Error).message}`)
  }
  return names
    .filter((n) => n.endsWith('.json') || n.endsWith('.hcl'))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
}

/** `service {}` / `check {}` are the singular spellings of `services []` / `checks []`. */
function normalizeSingulars(raw: RawConfig): RawConfig {
  const out = {...raw}
  for (const [one, many] of [['service', 'services'], ['check', 'checks']] as const) {
    if (out[one] !== undefined) {
      const extra = Array.isArray(out[one]) ? (out[one] as unknown[]) : [out[one]]
      out[many] = [...((out[many] as unknown[]) ?? []), ...extra]
      delete out[one]
    }
  }
  return out
}

export function mergeConfig(base: RawConfig, next: RawConfig): RawConfig {
  const out: RawConfig = {...base}
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue
    const prev = out[k]
    if (APPEND.has(k) && Array.isArray(prev) && Array.isArray(v)) out[k] = [...prev, ...v]
    else if (isPlainObject(prev) && isPlainObject(v)) out[k] = mergeConfig(prev, v)
    else out[k] = v
  }
  return out
}

function isPlainObject(v: unknown): v is RawConfig {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

/**
 * Type-checks one source. Unknown-to-dc-but-Consul keys produce warnings; keys
 * Consul does not know, and wrong types, throw ConfigError naming source and key.
 */
export function validateSource(raw: RawConfig, source: string): string[] {
  const warnings: string[] = []
  for (const [key, value] of Object.entries(raw)) {
    const type = IMPLEMENTED[key]
    if (!type) {
      if (KNOWN_UNIMPLEMENTED.has(key)) {
        warnings.push(`${source}: config key "${key}" is not implemented by dc yet and is ignored`)
        continue
      }
      throw new ConfigError(`${source}: invalid config key ${key}`)
    }
    checkType(value, type, key, source)
    const nested = NESTED[key]
    if (nested && isPlainObject(value)) {
      for (const [sub, subValue] of Object.entries(value)) {
        const subType = nested[sub]
        if (!subType) {
          warnings.push(`${source}: config key "${key}.${sub}" is not implemented by dc yet and is ignored`)
          continue
        }
        checkType(subValue, subType, `${key}.${sub}`, source)
      }
    }
  }
  return warnings
}

function checkType(value: unknown, type: KeyType, key: string, source: string) {
  const fail = (want: string) => {
    throw new ConfigError(`${source}: invalid value for ${key}: expected ${want}, got ${JSON.stringify(value)}`)
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') fail('a string')
      break
    case 'bool':
      if (typeof value !== 'boolean') fail('a boolean')
      break
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('an integer')
      break
    case 'duration':
      if (typeof value === 'number') break
      if (typeof value !== 'string') fail('a duration such as "10s"')
      try {
        parseDuration(value as string)
      } catch (e) {
        if (e instanceof DurationError) fail('a duration such as "10s"')
        throw e
      }
      break
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail('a list of strings')
      break
    case 'map':
      if (!isPlainObject(value) || Object.values(value).some((v) => typeof v !== 'string')) fail('an object of strings')
      break
    case 'object':
      if (!isPlainObject(value)) fail('an object')
      break
    case 'list':
      if (!Array.isArray(value)) fail('a list')
      break
    case 'any':
      break
  }
}

/** Loads -config-file and -config-dir sources in order, validating each, and merges them. */
export function loadSources(files: string[], dirs: string[]): {raw: RawConfig; warnings: string[]; paths: string[]} {
  const paths = [...files, ...dirs.flatMap(configDirFiles)]
  let raw: RawConfig = {}
  const warnings: string[] = []
  for (const p of paths) {
    const src = readConfigFile(p)
    warnings.push(...validateSource(src, p))
    raw = mergeConfig(raw, src)
  }
  return {raw, warnings, paths}
}
