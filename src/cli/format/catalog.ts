import type {CatalogNode, CatalogService} from '../../api/client.js'
import {alignPairs} from '../render.js'

/** `k=v` pairs sorted by key, as Consul's mapToKV. */
export function mapToKV(m: Record<string, string> | null | undefined, joiner: string): string {
  if (!m) return ''
  return Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(joiner)
}

/** Rows of `catalog nodes`: short ID (first UUID group) unless -detailed. */
export function nodeRows(nodes: readonly CatalogNode[], detailed: boolean): string[][] {
  if (detailed) {
    return [
      ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'],
      ...nodes.map((n) => [n.Node, n.ID, n.Address, n.Datacenter, mapToKV(n.TaggedAddresses, ', '), mapToKV(n.Meta, ', ')]),
    ]
  }
  return [
    ['Node', 'ID', 'Address', 'DC'],
    ...nodes.map((n) => {
      const dash = n.ID.indexOf('-')
      return [n.Node, dash > 0 ? n.ID.slice(0, dash) : n.ID, n.Address, n.Datacenter]
    }),
  ]
}

/** `catalog nodes -service=x` lists the nodes behind each instance. */
export function nodesOfService(entries: readonly CatalogService[]): CatalogNode[] {
  return entries.map((s) => ({
    ID: s.ID,
    Node: s.Node,
    Address: s.Address,
    Datacenter: s.Datacenter,
    TaggedAddresses: s.TaggedAddresses,
    Meta: s.NodeMeta,
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  }))
}

/** `catalog services`: sorted names, or with -tags a tabwriter block `name  tag1,tag2`. */
export function serviceLines(services: Record<string, readonly string[] | null>, withTags: boolean): string {
  const names = Object.keys(services).sort()
  if (!withTags) return names.join('\n')
  const rows = names.map((n): [string, string] => [n, [...(services[n] ?? [])].sort().join(',')])
  return alignPairs(rows).trim()
}
