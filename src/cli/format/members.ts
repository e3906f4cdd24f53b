import type {AgentMember} from '../../api/client.js'

/** serf.MemberStatus as text; /v1/agent/members sends the int. */
export const MEMBER_STATUS = ['none', 'alive', 'leaving', 'left', 'failed'] as const

export function memberStatus(status: number): string {
  return MEMBER_STATUS[status] ?? `unknown(${status})`
}

/** Go's net.JoinHostPort: IPv6 literals get brackets. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`
}

/**
 * Tags as `consul members` shows them: partition "default" when unset; in the
 * default partition servers show segment "<all>" and others "<default>" when unset.
 */
export function displayTags(m: AgentMember): Record<string, string> {
  const tags = {...m.Tags}
  if (!tags.ap) tags.ap = 'default'
  if (tags.ap === 'default') {
    if (tags.role === 'consul') tags.segment = '<all>'
    else if (!tags.segment) tags.segment = '<default>'
  } else tags.segment = ''
  return tags
}

export interface ShownMember {
  member: AgentMember
  tags: Record<string, string>
}

/** Members whose status matches `statusRe` (unanchored, like Go's MatchString), in Consul's order. */
export function selectMembers(members: readonly AgentMember[], statusRe: RegExp): ShownMember[] {
  const isDefault = (p: string) => p === '' || p === 'default'
  return members
    .filter((m) => statusRe.test(memberStatus(m.Status)))
    .map((member) => ({member, tags: displayTags(member)}))
    .sort((a, b) => {
      const [ta, tb] = [a.tags, b.tags]
      // servers first, then the default partition, then segment, partition, name
      if ((ta.role === 'consul') !== (tb.role === 'consul')) return ta.role === 'consul' ? -1 : 1
      if (isDefault(ta.ap) !== isDefault(tb.ap)) return isDefault(ta.ap) ? -1 : 1
      return cmp(ta.segment, tb.segment) || cmp(ta.ap, tb.ap) || cmp(a.member.Name, b.member.Name)
    })
}

/** Rows for columnize: the header, then one row per member (the -detailed form lists tags). */
export function memberRows(shown: readonly ShownMember[], detailed: boolean): string[][] {
  if (detailed) {
    const rows = [['Node', 'Address', 'Status', 'Tags']]
    for (const {member: m, tags} of shown) {
      const pairs = Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`)
      rows.push([m.Name, hostPort(m.Addr, m.Port), memberStatus(m.Status), pairs.join(',')])
    }
    return rows
  }
  const rows = [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']]
  for (const {member: m, tags} of shown) {
    const addr = hostPort(m.Addr, m.Port)
    const status = memberStatus(m.Status)
    const type = tags.role === 'consul' ? 'server' : tags.role === 'node' ? 'client' : undefined
    if (!type) {
      rows.push([m.Name, addr, status, 'unknown', '', '', '', '', ''])
      continue
    }
    const build = !tags.build ? '< 0.3' : tags.build.split(':')[0]
    rows.push([m.Name, addr, status, type, build, tags.vsn ?? '', tags.dc ?? '', tags.ap, tags.segment])
  }
  return rows
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
