import type {KeyringResponse} from '../../api/client.js'

/**
 * `consul keyring -list` layout: one block per pool (WAN first, then `<dc> (LAN)`),
 * each key with how many members hold it out of the pool's size.
 */
export function keyringText(pools: KeyringResponse[], primary: boolean): string {
  const lines: string[] = []
  const ordered = [...pools].sort((a, b) => Number(b.WAN) - Number(a.WAN))
  for (const p of ordered) {
    lines.push('', p.WAN ? 'WAN:' : `${p.Datacenter}${p.Segment ? ` [${p.Segment}]` : ''} (LAN):`)
    const keys = primary ? p.PrimaryKeys ?? {} : p.Keys
    for (const [k, n] of Object.entries(keys).sort()) lines.push(`  ${k} [${n}/${p.NumNodes}]`)
    for (const [node, msg] of Object.entries(p.Messages ?? {})) lines.push(`  ${node}: ${msg}`)
  }
  return lines.join('\n')
}
