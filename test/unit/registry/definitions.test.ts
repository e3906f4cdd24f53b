import {describe, expect, it} from 'vitest'
import {
  DefinitionError,
  parseCheckDefinition,
  parseConfigDefinitions,
  parseServiceDefinition,
  renderServiceDefinition,
  serviceCheckDefaults,
} from '../../../src/agent/services/index.js'
import {parseDeregisterRequest, parseRegisterRequest} from '../../../src/agent/services/catalog-request.js'

function fails(fn: () => unknown): DefinitionError {
  try {
    fn()
  } catch (e) {
    if (e instanceof DefinitionError) return e
    throw e
  }
  throw new Error('expected a DefinitionError')
}

const pascal = {
  ID: 'web-1',
  Name: 'web',
  Tags: ['v1', 'primary'],
  Address: '10.0.0.5',
  Port: 8080,
  Meta: {version: '1.4'},
  EnableTagOverride: true,
  Weights: {Passing: 10, Warning: 2},
  TaggedAddresses: {lan: {Address: '10.0.0.5', Port: 8080}},
  Check: {HTTP: 'http://127.0.0.1:8080/health', Interval: '10s', Timeout: '1s', SuccessBeforePassing: 2},
}
const snake = {
  id: 'web-1',
  name: 'web',
  tags: ['v1', 'primary'],
  address: '10.0.0.5',
  port: 8080,
  meta: {version: '1.4'},
  enable_tag_override: true,
  weights: {passing: 10, warning: 2},
  tagged_addresses: {lan: {address: '10.0.0.5', port: 8080}},
  check: {http: 'http://127.0.0.1:8080/health', interval: '10s', timeout: '1s', success_before_passing: 2},
}

describe('service definitions', () => {
  it('decodes PascalCase and snake_case to the same definition', () => {
    const a = parseServiceDefinition(pascal)
    const b = parseServiceDefinition(snake, {strict: true})
    expect(b).toEqual(a)
    expect(a).toMatchObject({id: 'web-1', name: 'web', port: 8080, enableTagOverride: true, weights: {Passing: 10, Warning: 2}})
    expect(a.checks[0]).toMatchObject({kind: 'http', intervalMs: 10_000, timeoutMs: 1000, successBeforePassing: 2, outputMaxSize: 4096})
  })

  it('defaults ID to Name, weights to 1/1, and check IDs and names as Consul does', () => {
    const one = parseServiceDefinition({Name: 'db', Check: {TTL: '30s'}})
    expect(one.id).toBe('db')
    expect(one.weights).toEqual({Passing: 1, Warning: 1})
    expect(serviceCheckDefaults(one).map((c) => [c.id, c.name, c.serviceId])).toEqual([['service:db', "Service 'db' check", 'db']])
    const many = parseServiceDefinition({Name: 'db', Check: {TTL: '30s'}, Checks: [{TCP: 'localhost:5432', Interval: '5s'}, {ID: 'own', Args: ['/bin/true'], Interval: '5s'}]})
    expect(serviceCheckDefaults(many).map((c) => c.id)).toEqual(['service:db:1', 'service:db:2', 'own'])
    expect(serviceCheckDefaults(many).map((c) => c.kind)).toEqual(['ttl', 'tcp', 'script'])
  })

  it('ignores an empty Check object and unknown API fields, but not in config files', () => {
    expect(parseServiceDefinition({Name: 'x', Check: {}, Bogus: 1}).checks).toEqual([])
    expect(fails(() => parseServiceDefinition({name: 'x', bogus: 1}, {strict: true})).message).toMatch(/unknown field bogus/)
  })

  it('round-trips through the persisted rendering', () => {
    const def = parseServiceDefinition(pascal)
    def.checks = serviceCheckDefaults(def)
    expect(parseServiceDefinition(JSON.parse(JSON.stringify(renderServiceDefinition(def))))).toEqual(def)
  })

  it.each([
    [{Port: 80}, /Missing service name/, 'Name'],
    [{Name: 'x', Port: 70000}, /Port: must be between 0 and 65535/, 'Port'],
    [{Name: 'x', Port: 'eighty'}, /Port: expected an integer/, 'Port'],
    [{Name: 'x', Tags: 'v1'}, /Tags: expected a list of strings/, 'Tags'],
    [{Name: 'x', Address: '0.0.0.0'}, /Invalid service address/, 'Address'],
    [{Name: 'x', Meta: {'bad key': 'v'}}, /Invalid Service Meta: Key "bad key" contains invalid characters/, 'Meta.bad key'],
    [{Name: 'x', Meta: {'consul-x': 'v'}}, /reserved/, 'Meta.consul-x'],
    [{Name: 'x', Weights: {Passing: 0, Warning: 1}}, /Passing must be greater than 0/, 'Weights.Passing'],
    [{Name: 'x', Kind: 'connect-proxy'}, /Kind "connect-proxy" is not supported/, 'Kind'],
    [{Name: 'x', Connect: {SidecarService: {}}}, /SidecarService is not supported/, 'Connect.SidecarService'],
    [{Name: 'x', Check: {HTTP: 'http://x/', Interval: '10 seconds'}}, /Check.Interval: time: invalid duration "10 seconds"/, 'Check.Interval'],
    [{Name: 'x', Check: {HTTP: 'http://x/'}}, /Check.Interval must be > 0/, 'Check.Interval'],
    [{Name: 'x', Check: {Name: 'mystery'}}, /unknown check type/, 'Check'],
    [{Name: 'x', Check: {TTL: '5s', Status: 'ok'}}, /Check.Status/, 'Check.Status'],
    [{Name: 'x', Check: {TTL: '5s', Interval: '5s'}}, /cannot both be specified/, 'Check.TTL'],
    [{Name: 'x', Check: {AliasService: 'y', TTL: '5s'}}, /must not be set for Alias/, 'Check.TTL'],
    [{Name: 'x', Check: {TCP: 'no-port', Interval: '5s'}}, /Check.TCP must be host:port/, 'Check.TCP'],
    [{Name: 'x', Check: {Script: '/bin/true', Interval: '5s'}}, /use "args"/, 'Check.Script'],
  ])('refuses %j with a message naming the field', (raw, message, field) => {
    const err = fails(() => parseServiceDefinition(raw))
    expect(err.message).toMatch(message)
    expect(err.field).toBe(field)
  })

  it('refuses duplicate check IDs inside one service', () => {
    const def = parseServiceDefinition({Name: 'x', Checks: [{ID: 'a', TTL: '5s'}, {ID: 'a', TTL: '6s'}]})
    expect(fails(() => serviceCheckDefaults(def)).message).toMatch(/duplicate CheckID "a"/)
  })
})

describe('check definitions', () => {
  it('decodes every check kind and its fields', () => {
    const http = parseCheckDefinition({Name: 'h', HTTP: 'https://127.0.0.1/x', Method: 'POST', Header: {'X-A': ['1'], 'X-B': '2'}, Body: 'b', TLSSkipVerify: true, Interval: '1s', Timeout: '500ms', FailuresBeforeCritical: 3, FailuresBeforeWarning: 1, DeregisterCriticalServiceAfter: '90m', Notes: 'n', Status: 'passing'})
    expect(http).toMatchObject({kind: 'http', method: 'POST', header: {'X-A': ['1'], 'X-B': ['2']}, tlsSkipVerify: true, timeoutMs: 500, failuresBeforeCritical: 3, failuresBeforeWarning: 1, deregisterCriticalServiceAfterMs: 90 * 60_000, status: 'passing'})
    expect(parseCheckDefinition({name: 't', tcp: '127.0.0.1:22', interval: '2s'})?.kind).toBe('tcp')
    expect(parseCheckDefinition({name: 's', args: ['/bin/sh', '-c', 'exit 0'], interval: '2s'})?.scriptArgs).toEqual(['/bin/sh', '-c', 'exit 0'])
    expect(parseCheckDefinition({Name: 's', ScriptArgs: ['/bin/true'], Interval: '2s'})?.kind).toBe('script')
    expect(parseCheckDefinition({name: 'a', alias_service: 'web'})?.kind).toBe('alias')
    expect(parseCheckDefinition({Name: 'ttl', TTL: 15_000_000_000})?.ttlMs).toBe(15_000)
    expect(parseCheckDefinition({CheckID: 'id', Name: 'n', ServiceID: 'web', TTL: '1m'})).toMatchObject({id: 'id', serviceId: 'web'})
  })

  it('loads config-file lists, refusing duplicate IDs with different names', () => {
    const {services, checks} = parseConfigDefinitions(
      [{name: 'web', id: 'web-1', check: {ttl: '10s'}}, {name: 'db'}],
      [{name: 'disk', args: ['/bin/true'], interval: '30s'}, {id: 'mem', name: 'Memory', ttl: '1m'}],
    )
    expect(services.map((s) => s.id)).toEqual(['web-1', 'db'])
    expect(services[0].checks[0].id).toBe('service:web-1')
    expect(checks.map((c) => c.id)).toEqual(['disk', 'mem'])
    const err = fails(() => parseConfigDefinitions([{name: 'web', id: 'x'}, {name: 'api', id: 'x'}], []))
    expect(err.message).toMatch(/services\[1\]: service ID "x" is already defined with name "web"/)
    expect(fails(() => parseConfigDefinitions([], [{ttl: '5s'}])).message).toMatch(/checks\[0\]: Missing check name/)
  })
})

describe('catalog requests', () => {
  it('decodes a register request with service and checks', () => {
    const req = parseRegisterRequest({
      Node: 'ext', Address: '192.0.2.1', NodeMeta: {rack: 'r1'}, TaggedAddresses: {wan: '198.51.100.1'},
      Service: {Service: 'redis', Port: 6379, Tags: ['primary']},
      Check: {Name: 'redis alive', ServiceID: 'redis', Status: 'passing', Definition: {TCP: '192.0.2.1:6379', Interval: '5s'}},
    })
    expect(req).toMatchObject({Node: 'ext', Address: '192.0.2.1', NodeMeta: {rack: 'r1'}, Service: {ID: 'redis', Service: 'redis', Port: 6379}})
    expect(req.Checks?.[0]).toMatchObject({CheckID: 'redis alive', Status: 'passing', Definition: {TCP: '192.0.2.1:6379', Interval: '5s'}})
  })

  it('refuses incomplete requests naming the field', () => {
    expect(fails(() => parseRegisterRequest({Address: '1.2.3.4'})).field).toBe('Node')
    expect(fails(() => parseRegisterRequest({Node: 'n'})).message).toMatch(/Must provide address/)
    expect(fails(() => parseRegisterRequest({Node: 'n', Address: 'a', Service: {ID: 'x'}})).message).toMatch(/Must provide service name with ID/)
    expect(fails(() => parseRegisterRequest({Node: 'n', Address: 'a', Check: {Node: 'other', Name: 'c'}})).message).toMatch(/doesn't match register request node/)
    expect(parseDeregisterRequest({Node: 'n', ServiceID: 's'})).toEqual({Node: 'n', ServiceID: 's'})
    expect(fails(() => parseDeregisterRequest({})).field).toBe('Node')
  })
})

describe('checks of a plugin type', () => {
  it('keeps the common fields and hands the rest to the plugin in snake_case', () => {
    const d = parseCheckDefinition({type: 'file-age', Name: 'beat', path: '/run/app.beat', MaxAge: '30s', interval: '5s', FailuresBeforeCritical: 2}, '', {strict: true})!
    expect(d).toMatchObject({kind: 'plugin', pluginType: 'file-age', name: 'beat', intervalMs: 5000, failuresBeforeCritical: 2, pluginArgs: {path: '/run/app.beat', max_age: '30s'}})
  })

  it("reads Consul's gRPC, UDP, H2PING, Docker and OSService fields as plugin types of those names", () => {
    expect(parseCheckDefinition({Name: 'g', GRPC: 'localhost:1', GRPCUseTLS: true, Interval: '1s'})).toMatchObject({kind: 'plugin', pluginType: 'grpc', pluginArgs: {grpc: 'localhost:1', grpc_use_tls: true}})
    expect(parseCheckDefinition({Name: 'd', DockerContainerID: 'abc', Args: ['x'], Interval: '1s'})).toMatchObject({pluginType: 'docker', pluginArgs: {docker_container_id: 'abc', args: ['x']}})
    expect(parseCheckDefinition({Name: 'o', OSService: 'sshd', Interval: '1s'})).toMatchObject({pluginType: 'osservice'})
  })

  it('treats a Type naming a built-in kind as the built-in check', () => {
    expect(parseCheckDefinition({Name: 'h', Type: 'http', HTTP: 'http://x/', Interval: '1s'}, '', {strict: true})).toMatchObject({kind: 'http', pluginType: ''})
  })

  it('round-trips through the persisted form', () => {
    const svc = parseServiceDefinition({Name: 'app', Check: {type: 'file-age', path: '/x', max_age: '3s', interval: '1s'}})
    const again = parseServiceDefinition(renderServiceDefinition(svc))
    expect(again.checks[0]).toMatchObject({kind: 'plugin', pluginType: 'file-age', pluginArgs: {path: '/x', max_age: '3s'}, intervalMs: 1000})
  })

  it('refuses a non-string Type and a bad common field', () => {
    expect(fails(() => parseCheckDefinition({Name: 'x', Type: 3})).message).toMatch(/Type/)
    expect(fails(() => parseCheckDefinition({Name: 'x', Type: 'file-age', Interval: 'soon'})).message).toMatch(/Interval/)
  })
})
