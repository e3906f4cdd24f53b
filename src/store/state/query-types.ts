/**
 * Prepared queries as Consul stores and renders them (structs.PreparedQuery, OSS fields).
 * Every field is always present, as Go's encoding/json writes them: nil lists and maps
 * are null, strings "", booleans false.
 */

export interface QueryFailoverTarget {
  Peer: string
  Datacenter: string
}

export interface QueryFailoverOptions {
  NearestN: number
  Datacenters: string[] | null
  Targets: QueryFailoverTarget[] | null
}

export interface ServiceQuery {
  Service: string
  SamenessGroup: string
  Failover: QueryFailoverOptions
  OnlyPassing: boolean
  IgnoreCheckIDs: string[] | null
  Near: string
  Tags: string[] | null
  NodeMeta: Record<string, string> | null
  ServiceMeta: Record<string, string> | null
  Connect: boolean
  Peer: string
}

export interface QueryTemplateOptions {
  /** "" = not a template; "name_prefix_match" is the only type Consul has. */
  Type: string
  Regexp: string
  RemoveEmptyTags: boolean
}

export interface QueryDNSOptions {
  TTL: string
}

export interface PreparedQuery {
  ID: string
  Name: string
  Session: string
  Token: string
  Template: QueryTemplateOptions
  Service: ServiceQuery
  DNS: QueryDNSOptions
  CreateIndex: number
  ModifyIndex: number
}

/** Where a query is executed from (Consul's structs.QuerySource); feeds `${agent.segment}` and Near. */
export interface QuerySource {
  Datacenter: string
  Segment: string
  Node: string
  Ip: string
}

export const TEMPLATE_NAME_PREFIX_MATCH = 'name_prefix_match'

export function isTemplate(q: Pick<PreparedQuery, 'Template'>): boolean {
  return q.Template.Type !== ''
}

/** A definition with every field filled in (Consul's zero values), from any partial shape. */
export function normalizeQuery(q: DeepPartial<PreparedQuery>): PreparedQuery {
  const s = q.Service ?? {}
  const f = s.Failover ?? {}
  return {
    ID: q.ID ?? '',
    Name: q.Name ?? '',
    Session: q.Session ?? '',
    Token: q.Token ?? '',
    Template: {Type: q.Template?.Type ?? '', Regexp: q.Template?.Regexp ?? '', RemoveEmptyTags: q.Template?.RemoveEmptyTags ?? false},
    Service: {
      Service: s.Service ?? '',
      SamenessGroup: s.SamenessGroup ?? '',
      Failover: {
        NearestN: f.NearestN ?? 0,
        Datacenters: f.Datacenters ? [...(f.Datacenters as string[])] : null,
        Targets: f.Targets ? (f.Targets as QueryFailoverTarget[]).map((t) => ({Peer: t?.Peer ?? '', Datacenter: t?.Datacenter ?? ''})) : null,
      },
      OnlyPassing: s.OnlyPassing ?? false,
      IgnoreCheckIDs: s.IgnoreCheckIDs ? [...(s.IgnoreCheckIDs as string[])] : null,
      Near: s.Near ?? '',
      Tags: s.Tags ? [...(s.Tags as string[])] : null,
      NodeMeta: s.NodeMeta ? {...(s.NodeMeta as Record<string, string>)} : null,
      ServiceMeta: s.ServiceMeta ? {...(s.ServiceMeta as Record<string, string>)} : null,
      Connect: s.Connect ?? false,
      Peer: s.Peer ?? '',
    },
    DNS: {TTL: q.DNS?.TTL ?? ''},
    CreateIndex: q.CreateIndex ?? 0,
    ModifyIndex: q.ModifyIndex ?? 0,
  }
}

export type DeepPartial<T> = {[K in keyof T]?: T[K] extends (infer U)[] | null ? U[] | null : T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | null : T[K]}
