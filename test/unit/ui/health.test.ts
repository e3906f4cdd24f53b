import {describe, expect, it} from 'vitest'

// The UI's modules are plain browser JavaScript (bundled by esbuild, not tsc): load
// them untyped. health.js is pure, so it runs as-is under Node.
const health: any = await import('../../../src/agent/ui/web/health.js' as string)

const check = (Node: string, Status: string, ServiceID = '', CheckID = `${Node}-${ServiceID}-${Status}`) => ({Node, Status, ServiceID, CheckID})

describe('UI health roll-ups', () => {
  it('takes the worst status; unknown statuses (maintenance) count as critical', () => {
    expect(health.worst([])).toBe('passing')
    expect(health.worst(['passing', 'warning'])).toBe('warning')
    expect(health.worst(['warning', 'critical', 'passing'])).toBe('critical')
    expect(health.worst(['passing', 'maintenance'])).toBe('critical')
  })

  it('rates an instance by its own checks and its node checks, with none = passing', () => {
    const idx = health.indexChecks([check('n1', 'passing'), check('n1', 'warning', 'web-1'), check('n2', 'critical'), check('n2', 'passing', 'web-2')])
    expect(health.instanceStatus(idx, 'n1', 'web-1')).toBe('warning')
    expect(health.instanceStatus(idx, 'n2', 'web-2')).toBe('critical')
    expect(health.instanceStatus(idx, 'n1', 'db-1')).toBe('passing')
    expect(health.instanceStatus(idx, 'n3', 'x')).toBe('passing')
  })

  it('summarises services per instance', () => {
    const idx = health.indexChecks([check('n1', 'critical', 'web-1'), check('n2', 'passing', 'web-2')])
    const instances = [{Node: 'n1', ID: 'web-1', Service: 'web'}, {Node: 'n2', ID: 'web-2', Service: 'web'}, {Node: 'n2', ID: 'db', Service: 'db'}]
    const s = health.serviceSummaries(instances, idx)
    expect(s.get('web')).toEqual({instances: 2, passing: 1, warning: 0, critical: 1})
    expect(s.get('db')).toEqual({instances: 1, passing: 1, warning: 0, critical: 0})
  })

  it('marks a node failed only for a critical node-level check', () => {
    const idx = health.indexChecks([check('n1', 'critical'), check('n2', 'critical', 'web'), check('n2', 'passing')])
    expect(health.nodeHealth(idx, 'n1')).toEqual({status: 'critical', failed: true, counts: {passing: 0, warning: 0, critical: 1}})
    expect(health.nodeHealth(idx, 'n2')).toMatchObject({status: 'critical', failed: false, counts: {passing: 1, warning: 0, critical: 1}})
  })
})
