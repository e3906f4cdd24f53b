import type {ApiCore} from './core.js'
import {queryParams, type ApiResult, type QueryOptions} from './query.js'
import type {TxnOp, TxnResponse} from './types.js'

/** PUT /v1/txn. A rollback (409) is an answer, not an error: `Committed` is false. */
export class TxnApi {
  constructor(private readonly core: ApiCore) {}

  async run(ops: TxnOp[], q?: QueryOptions): Promise<ApiResult<TxnResponse>> {
    const r = await this.core.call('PUT', '/v1/txn', {params: queryParams(q), body: ops, opts: q, accept: [409]})
    const parsed = JSON.parse(Buffer.from(r.body).toString('utf8') || '{}') as Partial<TxnResponse>
    return {body: {Committed: r.status !== 409, Results: parsed.Results ?? null, Errors: parsed.Errors ?? null}, meta: r.meta}
  }
}
