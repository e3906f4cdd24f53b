// A dc agent plugin (plugin API 1): the check type "file-age".
//
//   {"check": {"type": "file-age", "name": "app heartbeat", "path": "/var/run/app.beat",
//              "max_age": "30s", "warn_age": "10s", "interval": "5s"}}
//
// passing while the file was modified less than max_age ago, warning past warn_age (if
// given), critical past max_age or when the file is missing. The plugin's own config
// ({"default_max_age": "1m"}) sets max_age for checks that give none; it can change on a
// reload (reconfigure). Plain JavaScript with JSDoc types, so it needs no build step.
import {stat} from 'node:fs/promises'

/** @typedef {import('dc/plugin').AgentPlugin} AgentPlugin */
/** @typedef {import('dc/plugin').CheckType} CheckType */

const UNITS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** "30s", "1m30s", "250ms" or a number of milliseconds → milliseconds. */
export function parseDuration(v, what) {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  if (typeof v !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(v)) throw new Error(`${what} must be a duration such as "30s", got ${JSON.stringify(v)}`)
  let ms = 0
  for (const [, n, , unit] of v.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * UNITS[unit]
  return ms
}

function fmt(ms) {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${Math.round(ms)}ms`
}

let defaultMaxAgeMs = 30_000

function settings(def) {
  const a = def.args
  if (typeof a.path !== 'string' || a.path === '') throw new Error('path is required: the file whose age is checked')
  const maxAgeMs = a.max_age === undefined ? defaultMaxAgeMs : parseDuration(a.max_age, 'max_age')
  const warnAgeMs = a.warn_age === undefined ? undefined : parseDuration(a.warn_age, 'warn_age')
  if (warnAgeMs !== undefined && warnAgeMs >= maxAgeMs) throw new Error('warn_age must be below max_age')
  return {path: a.path, maxAgeMs, warnAgeMs}
}

/** @type {CheckType} */
export const fileAgeCheck = {
  name: 'file-age',
  defaultTimeoutMs: 2000,
  validate: (def) => void settings(def),
  create(def, env) {
    const s = settings(def)
    return {
      async check() {
        let mtimeMs
        try {
          mtimeMs = (await stat(s.path)).mtimeMs
        } catch (e) {
          return {status: 'critical', output: `${s.path}: ${e.code === 'ENOENT' ? 'does not exist' : e.message}`}
        }
        const age = Math.max(0, env.wallMs() - mtimeMs)
        const limits = `max_age ${fmt(s.maxAgeMs)}${s.warnAgeMs === undefined ? '' : `, warn_age ${fmt(s.warnAgeMs)}`}`
        if (age > s.maxAgeMs) return {status: 'critical', output: `${s.path} was modified ${fmt(age)} ago (${limits})`}
        if (s.warnAgeMs !== undefined && age > s.warnAgeMs) return {status: 'warning', output: `${s.path} was modified ${fmt(age)} ago (${limits})`}
        return {status: 'passing', output: `${s.path} was modified ${fmt(age)} ago (${limits})`}
      },
      timeoutOutput: `stat ${s.path} did not answer in time`,
    }
  },
}

function configure(config) {
  defaultMaxAgeMs = config.default_max_age === undefined ? 30_000 : parseDuration(config.default_max_age, 'default_max_age')
}

/** @type {AgentPlugin} */
const plugin = {
  apiVersion: 1,
  register(api) {
    configure(api.config)
    api.checkType(fileAgeCheck)
  },
  reconfigure(config) {
    configure(config)
  },
}

export default plugin
