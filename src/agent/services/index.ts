import {parseCheckDefinition} from './check.js'
import {DefinitionError} from './errors.js'
import {parseServiceDefinition, serviceCheckDefaults} from './service.js'
import type {CheckDefinition, ServiceDefinition} from './types.js'

export {DefinitionError} from './errors.js'
export {parseCheckDefinition, type DecodeOptions} from './check.js'
export {parseServiceDefinition, serviceCheckDefaults, validateMeta} from './service.js'
export {renderCheckDefinition, renderServiceDefinition, definitionView} from './render.js'
export * from './types.js'

/**
 * The `services`/`checks` lists of the merged config files (snake_case or PascalCase;
 * unknown fields are errors, as Consul's config loader treats them). Two services with
 * one ID but different names, or two checks with one ID, are refused.
 */
export function parseConfigDefinitions(services: unknown[], checks: unknown[]): {services: ServiceDefinition[]; checks: CheckDefinition[]} {
  const outServices: ServiceDefinition[] = []
  const byId = new Map<string, ServiceDefinition>()
  services.forEach((raw, i) => {
    const def = withPrefix(`services[${i}]`, () => parseServiceDefinition(raw, {strict: true}))
    def.checks = withPrefix(`services[${i}]`, () => serviceCheckDefaults(def))
    const prev = byId.get(def.id)
    if (prev && prev.name !== def.name) {
      throw new DefinitionError(`services[${i}]: service ID ${JSON.stringify(def.id)} is already defined with name ${JSON.stringify(prev.name)}`, 'ID')
    }
    byId.set(def.id, def)
    outServices.push(def)
  })
  const outChecks: CheckDefinition[] = []
  const checkIds = new Set<string>()
  checks.forEach((raw, i) => {
    const c = withPrefix(`checks[${i}]`, () => {
      const def = parseCheckDefinition(raw, '', {strict: true})
      return def ? checkDefaults(def) : null
    })
    if (!c) return
    if (checkIds.has(c.id)) throw new DefinitionError(`checks[${i}]: duplicate check ID ${JSON.stringify(c.id)}`, 'ID')
    checkIds.add(c.id)
    outChecks.push(c)
  })
  return {services: outServices, checks: outChecks}
}

/** A standalone check's ID defaults to its name (Consul's CheckDefinition.HealthCheck). */
export function checkDefaults(def: CheckDefinition): CheckDefinition {
  if (def.name === '') throw new DefinitionError('Missing check name', 'Name')
  return {...def, id: def.id || def.name}
}

function withPrefix<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof DefinitionError) throw new DefinitionError(`${prefix}: ${e.message}`, e.field)
    throw e
  }
}
