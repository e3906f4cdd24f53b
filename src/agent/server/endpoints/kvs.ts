import type {KVEntry} from '../../../store/state/types.js'
import type {KvCommand} from '../../../store/fsm/commands.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** KVS.Apply: Consul's KVS ops (set, cas, lock, unlock, delete, delete-cas, delete-tree). */
export interface KvsApplyRequest {
  Datacenter?: string
  Op: KvCommand['op']
  DirEnt: {Key: string; Flags?: number; Value?: Uint8Array; Session?: string; ModifyIndex?: number}
}

export function kvsEndpoints(d: EndpointDeps) {
  return {
    /** One key: Entries has 0 or 1 entry. */
    'KVS.Get': (r: {Key: string} & QueryOptions, signal?: AbortSignal): Promise<Read<KVEntry[]>> =>
      query(d, r, (s, ws) => {
        const g = s.kvGet(r.Key, ws)
        return {index: g.index, value: g.entry ? [g.entry] : []}
      }, signal),
    'KVS.List': (r: {Key: string} & QueryOptions, signal?: AbortSignal): Promise<Read<KVEntry[]>> =>
      query(d, r, (s, ws) => {
        const l = s.kvList(r.Key, ws)
        return {index: l.index, value: l.entries}
      }, signal),
    'KVS.ListKeys': (r: {Prefix: string; Seperator: string} & QueryOptions, signal?: AbortSignal): Promise<Read<string[]>> =>
      query(d, r, (s, ws) => {
        const k = s.kvKeys(r.Prefix, r.Seperator, ws)
        return {index: k.index, value: k.keys}
      }, signal),
    /** true/false for the conditional ops (cas, lock, unlock, delete-cas); true otherwise. */
    'KVS.Apply': async (r: KvsApplyRequest): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      const now = d.env.clock.wallMs()
      const entry = {Key: r.DirEnt.Key, Flags: r.DirEnt.Flags ?? 0, Value: r.DirEnt.Value ?? new Uint8Array(0)}
      let cmd: KvCommand
      switch (r.Op) {
        case 'cas': cmd = {type: 'kv', op: 'cas', entry, cas: r.DirEnt.ModifyIndex ?? 0, now}; break
        case 'lock': cmd = {type: 'kv', op: 'lock', entry, session: r.DirEnt.Session ?? '', now}; break
        case 'unlock': cmd = {type: 'kv', op: 'unlock', entry, session: r.DirEnt.Session ?? '', now}; break
        case 'delete-cas': cmd = {type: 'kv', op: 'delete-cas', entry: {Key: entry.Key}, cas: r.DirEnt.ModifyIndex ?? 0, now}; break
        case 'delete': cmd = {type: 'kv', op: 'delete', entry: {Key: entry.Key}, now}; break
        case 'delete-tree': cmd = {type: 'kv', op: 'delete-tree', entry: {Key: entry.Key}, now}; break
        default: cmd = {type: 'kv', op: 'set', entry, now}
      }
      const result = await d.server.apply(cmd)
      return cmd.op === 'set' || cmd.op === 'delete' || cmd.op === 'delete-tree' ? true : Boolean(result)
    },
  }
}
