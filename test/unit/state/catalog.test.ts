import {describe, expect, it} from 'vitest'
import {StateError, StateStore, toServiceNode} from '../../../src/store/state/index.js'
import {addNode, addService} from './helpers.js'

describe('node registration', () => {
  it('creates the node and moves ModifyIndex only on real change', () => {
    const s = new StateStore()
    s.ensureRegistration(1, {Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', NodeMeta: {rack: 'a'}})
    expect(s.node('n1').value).toMatchObject({Node: 'n1', Address: '10.0.0.1', Meta: {rack: 'a'}, CreateIndex: 1, ModifyIndex: 1})
    s.ensureRegistration(2, {Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', NodeMeta: {rack: 'a'}})
    expect(s.node('n1').value!.ModifyIndex).toBe(1)
    expect(s.maxIndex('nodes')).toBe(1)
    s.ensureRegistration(3, {Node: 'n1', Address: '10.0.0.9', Datacenter: 'dc1', NodeMeta: {rack: 'a'}})
    expect(s.node('n1').value).toMatchObject({Address: '10.0.0.9', CreateIndex: 1, ModifyIndex: 3})
    expect(s.nodes()).toMatchObject({index: 3})
  })

  it('SkipNodeUpdate leaves an existing node alone', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    s.ensureRegistration(2, {Node: 'n1', Address: 'changed', SkipNodeUpdate: true})
    expect(s.node('n1').value!.Address).not.toBe('changed')
  })

  it('looks nodes up case-insensitively and lists them in name order', () => {
    const s = new StateStore()
    addNode(s, 1, 'b')
    addNode(s, 2, 'A')
    addNode(s, 3, 'c')
    expect(s.nodes().value.map((n) => n.Node)).toEqual(['A', 'b', 'c'])
    expect(s.node('a').value!.Node).toBe('A')
  })

  it('renames a node registered with a known ID, moving nothing else', () => {
    const s = new StateStore()
    s.ensureRegistration(1, {ID: 'id-1', Node: 'old', Address: '1.1.1.1'})
    s.ensureRegistration(2, {ID: 'id-1', Node: 'new', Address: '1.1.1.1'})
    expect(s.node('old').value).toBeUndefined()
    expect(s.node('new').value).toMatchObject({ID: 'id-1', CreateIndex: 1, ModifyIndex: 2})
  })

  it('refuses a name held by a healthy node with another ID', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1', {ID: 'aaaa'})
    let err: unknown
    try {
      s.ensureRegistration(2, {ID: 'bbbb', Node: 'n1', Address: '10.9.9.9'})
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StateError)
    expect((err as StateError).message).toBe(
      'failed inserting node: Error while renaming Node ID: "bbbb": Node name n1 is reserved by node aaaa with name n1 (10.0.0.2)',
    )
    // Once its serfHealth is critical the name may be taken.
    s.updateCheckStatus(3, 'n1', 'serfHealth', 'critical', '')
    s.ensureRegistration(4, {ID: 'bbbb', Node: 'n1', Address: '10.9.9.9'})
    expect(s.node('n1').value).toMatchObject({ID: 'bbbb', Address: '10.9.9.9'})
  })

  it('rolls the whole registration back on error', () => {
    const s = new StateStore()
    let err: unknown
    try {
      s.ensureRegistration(5, {Node: 'n9', Address: 'x', Check: {CheckID: 'c', ServiceID: 'missing'}})
    } catch (e) {
      err = e
    }
    expect((err as StateError).message).toBe('failed inserting check on node "n9": Missing service registration')
    expect(s.node('n9').value).toBeUndefined()
    expect(s.maxIndex('nodes', 'checks')).toBe(0)
  })

  it('rejects a check for another node', () => {
    const s = new StateStore()
    expect(() => s.ensureRegistration(1, {Node: 'n1', Check: {Node: 'n2', CheckID: 'c'}})).toThrow(
      'check node "n2" does not match node "n1"',
    )
  })
})

describe('service registration', () => {
  it('defaults ID and weights; ModifyIndex only moves on change', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    s.ensureRegistration(2, {Node: 'n1', SkipNodeUpdate: true, Service: {Service: 'web', Port: 80}})
    const svc = s.nodeService('n1', 'web').value!
    expect(svc).toMatchObject({ID: 'web', Service: 'web', Weights: {Passing: 1, Warning: 1}, CreateIndex: 2, ModifyIndex: 2})
    s.ensureRegistration(3, {Node: 'n1', SkipNodeUpdate: true, Service: {Service: 'web', Port: 80}})
    expect(s.nodeService('n1', 'web').value!.ModifyIndex).toBe(2)
    expect(s.maxIndex('service.web')).toBe(2)
    s.ensureRegistration(4, {Node: 'n1', SkipNodeUpdate: true, Service: {Service: 'web', Port: 81}})
    expect(s.nodeService('n1', 'web').value).toMatchObject({Port: 81, CreateIndex: 2, ModifyIndex: 4})
  })

  it('catalog services: tags union per name, names sorted, services table index', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addNode(s, 2, 'n2')
    addService(s, 3, 'n1', 'r1', 'redis', {tags: ['primary', 'v1']})
    addService(s, 4, 'n2', 'r2', 'redis', {tags: ['v1', 'replica']})
    addService(s, 5, 'n2', 'api', 'api')
    const {index, value} = s.services()
    expect(index).toBe(5)
    expect([...value.entries()]).toEqual([
      ['api', []],
      ['redis', ['primary', 'replica', 'v1']],
    ])
  })

  it('service nodes: tag filter, (node, ID) order, service-specific index, extinction', () => {
    const s = new StateStore()
    addNode(s, 1, 'n2')
    addNode(s, 2, 'n1')
    addService(s, 3, 'n2', 'w', 'web', {tags: ['Blue']})
    addService(s, 4, 'n1', 'w', 'web', {tags: ['green']})
    addService(s, 5, 'n1', 'x', 'other')
    let r = s.serviceNodes('web')
    expect(r.index).toBe(4)
    expect(r.value.map((x) => x.Node.Node)).toEqual(['n1', 'n2'])
    expect(s.serviceNodes('web', ['blue']).value.map((x) => x.Node.Node)).toEqual(['n2'])
    expect(s.serviceNodes('web', ['blue', 'green']).value).toEqual([])
    expect(toServiceNode(r.value[0]!)).toMatchObject({Node: 'n1', ServiceID: 'w', ServiceName: 'web', ServiceTags: ['green'], ServicePort: 80})

    s.deleteService(8, 'n1', 'w')
    s.deleteService(9, 'n2', 'w')
    r = s.serviceNodes('web')
    expect(r).toEqual({index: 9, value: []})
    expect(s.maxIndex('service_last_extinction')).toBe(9)
    // Another service's index is its own.
    expect(s.serviceNodes('other').index).toBe(5)
  })

  it('node services and node deregistration', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addService(s, 2, 'n1', 'b', 'b')
    addService(s, 3, 'n1', 'a', 'a', {checks: [{CheckID: 'a-check', ServiceID: 'a', Status: 'passing'}]})
    const ns = s.nodeServices('n1')
    expect(ns.index).toBe(3)
    expect(ns.value!.Services.map((x) => x.ID)).toEqual(['a', 'b'])
    s.deleteNode(6, 'n1')
    expect(s.nodeServices('n1')).toEqual({index: 6, value: undefined})
    expect(s.serviceNodes('a').value).toEqual([])
    expect(s.checksInState('any').value).toEqual([])
    expect(s.maxIndex('node_last_extinction')).toBe(6)
  })

  it('deleting a service deletes its checks', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addService(s, 2, 'n1', 'web1', 'web', {checks: [{CheckID: 'c1', ServiceID: 'web1', Status: 'passing'}]})
    s.deleteService(3, 'n1', 'web1')
    expect(s.nodeChecks('n1').value.map((c) => c.CheckID)).toEqual(['serfHealth'])
    expect(s.maxIndex('checks')).toBe(3)
  })
})

describe('health', () => {
  function fixture(): StateStore {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addNode(s, 2, 'n2')
    addService(s, 3, 'n1', 'web1', 'web', {tags: ['v1'], checks: [{CheckID: 'web1-http', Name: 'http', ServiceID: 'web1', Status: 'passing'}]})
    addService(s, 4, 'n2', 'web2', 'web', {checks: [{CheckID: 'web2-http', ServiceID: 'web2', Status: 'warning'}]})
    addService(s, 5, 'n1', 'db', 'db', {checks: [{CheckID: 'db-tcp', ServiceID: 'db', Status: 'critical'}]})
    return s
  }

  it('checkServiceNodes returns node checks then the instance checks, nothing else', () => {
    const s = fixture()
    const r = s.checkServiceNodes('web')
    expect(r.index).toBe(4)
    expect(r.value.map((x) => [x.Node.Node, x.Service.ID, x.Checks.map((c) => c.CheckID)])).toEqual([
      ['n1', 'web1', ['serfHealth', 'web1-http']],
      ['n2', 'web2', ['serfHealth', 'web2-http']],
    ])
    expect(r.value[0]!.Checks[1]).toMatchObject({ServiceName: 'web', ServiceTags: ['v1'], Status: 'passing'})
    expect(s.checkServiceNodes('web', ['V1']).value.map((x) => x.Service.ID)).toEqual(['web1'])
    expect(s.checkServiceNodes('nope')).toEqual({index: 5, value: []})
  })

  it('a node-level check change moves the index of every service on that node', () => {
    const s = fixture()
    s.updateCheckStatus(9, 'n1', 'serfHealth', 'critical', 'gone')
    expect(s.checkServiceNodes('web').index).toBe(9)
    expect(s.checkServiceNodes('db').index).toBe(9)
    s.updateCheckStatus(10, 'n2', 'web2-http', 'passing', '')
    expect(s.checkServiceNodes('web').index).toBe(10)
    expect(s.checkServiceNodes('db').index).toBe(9)
  })

  it('an unchanged check update writes nothing', () => {
    const s = fixture()
    s.updateCheckStatus(9, 'n1', 'web1-http', 'passing', '')
    expect(s.maxIndex('checks')).toBe(5)
    expect(s.updateCheckStatus(10, 'n1', 'missing', 'passing', '')).toBe(false)
  })

  it('checksInState, nodeChecks, serviceChecks', () => {
    const s = fixture()
    expect(s.checksInState('passing').value.map((c) => c.CheckID)).toEqual(['serfHealth', 'web1-http', 'serfHealth'])
    expect(s.checksInState('critical').value.map((c) => c.CheckID)).toEqual(['db-tcp'])
    expect(s.checksInState('any').value).toHaveLength(5)
    expect(s.checksInState('warning')).toMatchObject({index: 5})
    expect(s.nodeChecks('N1').value.map((c) => c.CheckID)).toEqual(['db-tcp', 'serfHealth', 'web1-http'])
    expect(s.serviceChecks('web').value.map((c) => c.CheckID)).toEqual(['web1-http', 'web2-http'])
  })

  it('defaults a registered check to critical', () => {
    const s = new StateStore()
    s.ensureRegistration(1, {Node: 'n1', Address: 'a', Check: {Name: 'mem'}})
    expect(s.nodeCheck('n1', 'mem').value).toMatchObject({CheckID: 'mem', Status: 'critical', ServiceID: ''})
  })

  it('serves a 5,000-instance service from the indexes', () => {
    const s = new StateStore()
    let idx = 1
    for (let i = 0; i < 5000; i++) {
      const node = `node-${String(i).padStart(4, '0')}`
      addNode(s, idx++, node)
      addService(s, idx++, node, 'api-' + i, 'api', {checks: [{CheckID: 'api-' + i, ServiceID: 'api-' + i, Status: 'passing'}]})
      addService(s, idx++, node, 'side-' + i, 'sidecar', {checks: [{CheckID: 'side-' + i, ServiceID: 'side-' + i, Status: 'passing'}]})
    }
    const r = s.checkServiceNodes('api')
    expect(r.value).toHaveLength(5000)
    expect(r.value[4999]!.Node.Node).toBe('node-4999')
    expect(r.value.every((x) => x.Checks.length === 2 && x.Checks[1]!.ServiceName === 'api')).toBe(true)
  })
})
