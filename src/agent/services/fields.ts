import {DurationError, parseDuration} from '../config/duration.js'
import {DefinitionError} from './errors.js'

/**
 * Reads a JSON object the way Consul decodes definitions: field names match without
 * regard to case or underscores (`EnableTagOverride`, `enable_tag_override`,
 * `enableTagOverride`), wrong types are errors naming the field's path, and unread
 * fields can be listed afterwards (config files refuse them; the API ignores them as
 * Go's JSON decoder does).
 */
export class Fields {
  private readonly byNorm = new Map<string, string>()
  private readonly used = new Set<string>()

  constructor(
    private readonly raw: Record<string, unknown>,
    /** Path prefix for messages: '' or 'Check.' or 'Checks[1].' */
    readonly prefix: string,
  ) {
    for (const k of Object.keys(raw)) {
      const n = norm(k)
      if (!this.byNorm.has(n)) this.byNorm.set(n, k)
    }
  }

  static of(value: unknown, path: string, prefix: string): Fields {
    if (!isPlainObject(value)) throw new DefinitionError(`Request decode failed: ${path || 'body'}: expected a JSON object`, path)
    return new Fields(value, prefix)
  }

  /** The value under any of the given spellings (first match), or undefined. */
  get(...names: string[]): unknown {
    for (const name of names) {
      const key = this.byNorm.get(norm(name))
      if (key !== undefined) {
        this.used.add(key)
        const v = this.raw[key]
        if (v !== null && v !== undefined) return v
      }
    }
    return undefined
  }

  has(...names: string[]): boolean {
    return names.some((n) => this.byNorm.has(norm(n)))
  }

  /** Marks fields as read without using them (accepted for compatibility, ignored by dc). */
  ignore(...names: string[]): void {
    for (const n of names) {
      const key = this.byNorm.get(norm(n))
      if (key !== undefined) this.used.add(key)
    }
  }

  unread(): string[] {
    return Object.keys(this.raw).filter((k) => !this.used.has(k))
  }

  path(field: string): string {
    return this.prefix + field
  }

  string(field: string, ...aliases: string[]): string {
    const v = this.get(field, ...aliases)
    if (v === undefined) return ''
    if (typeof v !== 'string') throw this.typeError(field, 'a string', v)
    return v
  }

  bool(field: string, ...aliases: string[]): boolean {
    const v = this.get(field, ...aliases)
    if (v === undefined) return false
    if (typeof v !== 'boolean') throw this.typeError(field, 'true or false', v)
    return v
  }

  int(field: string, min: number, max: number, ...aliases: string[]): number {
    const v = this.get(field, ...aliases)
    if (v === undefined) return 0
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.typeError(field, 'an integer', v)
    if (v < min || v > max) {
      throw new DefinitionError(`Invalid value for ${this.path(field)}: must be between ${min} and ${max}, got ${v}`, this.path(field))
    }
    return v
  }

  strings(field: string, ...aliases: string[]): string[] {
    const v = this.get(field, ...aliases)
    if (v === undefined) return []
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw this.typeError(field, 'a list of strings', v)
    return [...(v as string[])]
  }

  stringMap(field: string, ...aliases: string[]): Record<string, string> {
    const v = this.get(field, ...aliases)
    if (v === undefined) return {}
    if (!isPlainObject(v) || Object.values(v).some((x) => typeof x !== 'string')) throw this.typeError(field, 'an object of strings', v)
    return {...(v as Record<string, string>)}
  }

  /** Go duration text ("10s", "1m30s") or a number of nanoseconds, as Consul accepts; in ms. */
  duration(field: string, ...aliases: string[]): number {
    const v = this.get(field, ...aliases)
    if (v === undefined || v === '') return 0
    if (typeof v === 'number' && Number.isFinite(v)) return v / 1e6
    if (typeof v !== 'string') throw this.typeError(field, 'a duration such as "10s"', v)
    try {
      return parseDuration(v)
    } catch (e) {
      if (e instanceof DurationError) {
        throw new DefinitionError(`Request decode failed: ${this.path(field)}: time: invalid duration ${JSON.stringify(v)}`, this.path(field))
      }
      throw e
    }
  }

  typeError(field: string, want: string, got: unknown): DefinitionError {
    return new DefinitionError(`Request decode failed: ${this.path(field)}: expected ${want}, got ${JSON.stringify(got)}`, this.path(field))
  }
}

export function norm(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '')
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
