import {describe, expect, it} from 'vitest'
import {flagsToConfig} from '../../../src/agent/config/flags.js'
import {buildRuntimeConfig} from '../../../src/agent/config/runtime.js'

const build = (flags: Record<string, unknown>, dev = true) => buildRuntimeConfig({dev, configFiles: [], configDirs: [], flags: flagsToConfig(flags).raw}).config
const raw = (flags: Record<string, unknown>, dev = false) => buildRuntimeConfig({dev, configFiles: [], configDirs: [], flags: {data_dir: '/tmp/x', ...flags}}).config

describe('ui_config', () => {
  it('is on in -dev and off otherwise unless -ui or ui_config.enabled', () => {
    expect(build({}).ui).toBe(true)
    expect(raw({}).ui).toBe(false)
    expect(raw({ui: true}).ui).toBe(true)
    expect(raw({ui_config: {enabled: true}}).ui).toBe(true)
    // An explicit "off" wins over the -dev default.
    expect(raw({ui_config: {enabled: false}}, true).ui).toBe(false)
  })

  it('serves a custom directory with -ui-dir (ui_config.dir, or the deprecated ui_dir)', () => {
    expect(raw({ui_config: {dir: '/srv/ui'}})).toMatchObject({ui: true, uiDir: '/srv/ui'})
    expect(raw({ui_dir: '/srv/old'})).toMatchObject({ui: true, uiDir: '/srv/old'})
    expect(flagsToConfig({'ui-dir': '/srv/ui', 'ui-content-path': 'console'})).toEqual({raw: {ui_config: {dir: '/srv/ui', content_path: 'console'}}, notes: []})
  })

  it('refuses enabled and dir together, as Consul does', () => {
    expect(() => raw({ui: true, ui_config: {dir: '/srv/ui'}})).toThrow(/Both the ui_config.enabled and ui_config.dir/)
  })

  it('normalises the content path to /x/ and refuses paths that would shadow the API', () => {
    expect(build({}).uiContentPath).toBe('/ui/')
    expect(build({'ui-content-path': 'console'}).uiContentPath).toBe('/console/')
    expect(build({'ui-content-path': '//ops/console//'}).uiContentPath).toBe('/ops/console/')
    expect(raw({ui_content_path: '/legacy'}).uiContentPath).toBe('/legacy/')
    for (const bad of ['/', '', '/v1/', 'v1/ui', '/a/../b', '/ui?x']) expect(() => build({'ui-content-path': bad}), bad).toThrow(/content_path/)
  })
})
