import type {TxnOp, TxnResponse} from '../../../store/state/txn.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

export function txnEndpoints(d: EndpointDeps) {
  return {
    /** A transaction with writes: one Raft entry, all or nothing. */
    'Txn.Apply': async (r: {Datacenter?: string; Ops: TxnOp[]}): Promise<TxnResponse> => {
      checkDc(d, r.Datacenter)
      return (await d.server.apply({type: 'txn', ops: r.Ops, now: d.env.clock.wallMs()})) as TxnResponse
    },
    /** A read-only transaction: served from the store with the read's consistency, no Raft write. */
    'Txn.Read': (r: {Ops: TxnOp[]} & QueryOptions): Promise<Read<TxnResponse>> =>
      query(d, {...r, MinQueryIndex: 0}, (s) => ({index: s.maxIndex('kvs', 'tombstones'), value: s.txnRead(r.Ops)})),
  }
}
