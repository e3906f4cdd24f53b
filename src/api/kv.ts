import type {ApiCore} from './core.js'
import {encodePath, queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {KVPair} from './types.js'

export interface KvWriteOptions extends WriteOptions {
  /** Opaque uint64 stored with the key (`?flags=`). */
  flags?: number
}

/** /v1/kv: reads block and honour consistency modes; writes answer true/false. */
export class KvApi {
  constructor(private readonly core: ApiCore) {}

  /** One key, or null when it does not exist (Consul answers 404 with an index). */
  get(key: string, q?: QueryOptions): Promise<ApiResult<KVPair | null>> {
    return this.first(this.core.json<KVPair[] | null>('GET', kvPath(key), {params: queryParams(q), opts: q, accept: [404]}, null))
  }

  /** Every pair under a prefix (`?recurse`); [] when none. */
  async list(prefix: string, q?: QueryOptions): Promise<ApiResult<KVPair[]>> {
    const r = await this.core.json<KVPair[] | null>('GET', kvPath(prefix), {params: {recurse: true, ...queryParams(q)}, opts: q, accept: [404]}, null)
    return {body: r.body ?? [], meta: r.meta}
  }

  /** Key names under a prefix (`?keys`), rolled up at `separator` when given. */
  async keys(prefix: string, separator?: string, q?: QueryOptions): Promise<ApiResult<string[]>> {
    const params = {keys: true, separator: separator || undefined, ...queryParams(q)}
    const r = await this.core.json<string[] | null>('GET', kvPath(prefix), {params, opts: q, accept: [404]}, null)
    return {body: r.body ?? [], meta: r.meta}
  }

  /** The raw bytes of one key (`?raw`), or null when missing. */
  async raw(key: string, q?: QueryOptions): Promise<ApiResult<Buffer | null>> {
    const r = await this.core.call('GET', kvPath(key), {params: {raw: true, ...queryParams(q)}, opts: q, accept: [404]})
    return {body: r.status === 404 ? null : Buffer.from(r.body), meta: r.meta}
  }

  put(key: string, value: Uint8Array | string, w: KvWriteOptions = {}): Promise<ApiResult<boolean>> {
    return this.write(key, value, {flags: w.flags || undefined}, w)
  }

  /** Write only if the key's ModifyIndex still equals `modifyIndex` (0 = only if absent). */
  cas(key: string, value: Uint8Array | string, modifyIndex: number, w: KvWriteOptions = {}): Promise<ApiResult<boolean>> {
    return this.write(key, value, {flags: w.flags || undefined, cas: modifyIndex}, w)
  }

  /** Take the lock on `key` for `session` (creates the key if needed). */
  acquire(key: string, value: Uint8Array | string, session: string, w: KvWriteOptions = {}): Promise<ApiResult<boolean>> {
    return this.write(key, value, {flags: w.flags || undefined, acquire: session}, w)
  }

  /** Give up the lock `session` holds on `key`. */
  release(key: string, value: Uint8Array | string, session: string, w: KvWriteOptions = {}): Promise<ApiResult<boolean>> {
    return this.write(key, value, {flags: w.flags || undefined, release: session}, w)
  }

  delete(key: string, w?: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('DELETE', kvPath(key), {opts: w}, false)
  }

  /** Delete only if the key's ModifyIndex still equals `modifyIndex`. */
  deleteCAS(key: string, modifyIndex: number, w?: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('DELETE', kvPath(key), {params: {cas: modifyIndex}, opts: w}, false)
  }

  deleteTree(prefix: string, w?: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('DELETE', kvPath(prefix), {params: {recurse: true}, opts: w}, false)
  }

  private write(key: string, value: Uint8Array | string, params: Record<string, string | number | undefined>, w: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('PUT', kvPath(key), {params, body: typeof value === 'string' ? Buffer.from(value) : value, opts: w}, false)
  }

  private async first(p: Promise<ApiResult<KVPair[] | null>>): Promise<ApiResult<KVPair | null>> {
    const r = await p
    return {body: r.body?.[0] ?? null, meta: r.meta}
  }
}

function kvPath(key: string): string {
  return `/v1/kv/${encodePath(key.replace(/^\/+/, ''))}`
}
