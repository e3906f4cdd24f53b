import type {AgentContext} from '../../context.js'
import {HttpError} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'

/**
 * /v1/operator/keyring: GET lists, POST installs, PUT makes primary, DELETE removes,
 * on every member of the LAN pool (and the WAN pool on servers) through Serf's
 * internal queries, answered per pool with counts as Consul does.
 */
export async function keyring(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const relayRaw = req.query.get('relay-factor')
  let relay = 0
  if (relayRaw !== null && relayRaw !== '') {
    if (!/^\d+$/.test(relayRaw)) throw new HttpError(400, `Error parsing relay factor: ${relayRaw}`)
    relay = Number(relayRaw)
    if (relay > 5) throw new HttpError(400, 'Relay factor must be in range: [0, 5]')
  }
  const localOnly = req.query.has('local-only') && req.query.get('local-only') !== 'false'
  const op = ({GET: 'list', POST: 'install', PUT: 'use', DELETE: 'remove'} as const)[req.method as 'GET' | 'POST' | 'PUT' | 'DELETE']
  if (localOnly && op !== 'list') throw new HttpError(400, 'Local-only can only be used with list operations')
  let key: string | undefined
  if (op !== 'list') {
    let body: {Key?: unknown}
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}') as {Key?: unknown}
    } catch {
      throw new HttpError(400, 'Request decode failed: invalid JSON body')
    }
    if (typeof body.Key !== 'string' || !body.Key) throw new HttpError(400, 'Request decode failed: missing Key')
    key = body.Key
  }
  let results
  try {
    results = await ctx.gossip.keyring(op, key, relay, localOnly)
  } catch (e) {
    throw new HttpError(400, (e as Error).message)
  }
  const errors = results.filter((r) => r.numErr > 0 || r.numResp < r.numNodes)
  if (op !== 'list' && errors.length) {
    const r = errors[0]
    const detail = Object.entries(r.messages).map(([n, m]) => `${n}: ${m}`).join(', ')
    throw new HttpError(500, `${r.numErr > 0 ? `${r.numErr}/${r.numNodes} nodes reported failure` : `${r.numResp}/${r.numNodes} nodes reported success`}${detail ? ` (${detail})` : ''}`)
  }
  if (op !== 'list') return {}
  return {
    json: results.map((r) => ({
      WAN: r.wan,
      Datacenter: ctx.config.datacenter,
      Segment: '',
      Partition: '',
      Keys: r.keys,
      PrimaryKeys: r.primaryKeys,
      NumNodes: r.numNodes,
      Messages: r.messages,
    })),
  }
}
