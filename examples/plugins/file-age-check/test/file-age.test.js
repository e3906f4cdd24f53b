// The plugin on its own, against the plugin API only (node --test, no dc needed).
import assert from 'node:assert/strict'
import {mkdtempSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import plugin, {parseDuration} from '../index.js'

function registered(config = {}) {
  const types = []
  plugin.register({apiVersion: 1, config, env: undefined, checkType: (t) => types.push(t), joinProvider: () => assert.fail('no providers'), onEvent: () => assert.fail('no handlers')})
  assert.equal(types.length, 1)
  return types[0]
}

const noop = () => {}
const env = (now) => ({nowMs: () => now, wallMs: () => now, after: () => ({cancel: noop}), log: {debug: noop, info: noop, warn: noop, error: noop}, nodeName: 'n', datacenter: 'dc1'})
const def = (args) => ({id: 'c', name: 'c', serviceId: '', type: 'file-age', intervalMs: 1000, timeoutMs: 2000, args})

test('declares API version 1 and registers the file-age type', () => {
  assert.equal(plugin.apiVersion, 1)
  assert.equal(registered().name, 'file-age')
})

test('passing while fresh, warning past warn_age, critical past max_age or when missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-age-'))
  const path = join(dir, 'beat')
  writeFileSync(path, '')
  const t0 = 1_700_000_000_000
  utimesSync(path, t0 / 1000, t0 / 1000)
  const type = registered()
  const at = async (ms, args = {path, max_age: '30s', warn_age: '10s'}) => type.create(def(args), env(t0 + ms)).check(new AbortController().signal)
  assert.equal((await at(1000)).status, 'passing')
  assert.equal((await at(15_000)).status, 'warning')
  const old = await at(45_000)
  assert.equal(old.status, 'critical')
  assert.match(old.output, /modified 45s ago \(max_age 30s, warn_age 10s\)/)
  assert.deepEqual(await at(0, {path: join(dir, 'nope')}), {status: 'critical', output: `${join(dir, 'nope')}: does not exist`})
})

test('the plugin config sets the default max_age, also on reconfigure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-age-'))
  const path = join(dir, 'beat')
  writeFileSync(path, '')
  const t0 = 1_700_000_000_000
  utimesSync(path, t0 / 1000, t0 / 1000)
  const type = registered({default_max_age: '1m'})
  assert.equal((await type.create(def({path}), env(t0 + 45_000)).check()).status, 'passing')
  plugin.reconfigure({default_max_age: '5s'})
  assert.equal((await type.create(def({path}), env(t0 + 45_000)).check()).status, 'critical')
  plugin.reconfigure({})
})

test('validate refuses a missing path and bad durations', () => {
  const type = registered()
  assert.throws(() => type.validate(def({})), /path is required/)
  assert.throws(() => type.validate(def({path: '/x', max_age: 'soon'})), /max_age must be a duration/)
  assert.throws(() => type.validate(def({path: '/x', max_age: '5s', warn_age: '10s'})), /warn_age must be below max_age/)
  assert.equal(parseDuration('1m30s'), 90_000)
})
