import type {ApiCore} from './core.js'
import type {ApiResult, QueryOptions} from './query.js'

/** /v1/status: Raft addresses of the leader and the peers (`ip:port`). */
export class StatusApi {
  constructor(private readonly core: ApiCore) {}

  /** Empty string while there is no leader. */
  leader(q?: QueryOptions): Promise<ApiResult<string>> {
    return this.core.json<string>('GET', '/v1/status/leader', {opts: q}, '')
  }

  peers(q?: QueryOptions): Promise<ApiResult<string[]>> {
    return this.core.json<string[]>('GET', '/v1/status/peers', {opts: q}, [])
  }
}
