/** The document `version -format=json` prints (Consul's VersionInfo shape). */
export interface VersionInfo {
  Version: string
  Revision: string
  Prerelease: string
  /** RFC 3339, seconds precision. */
  BuildDate: string
  RPC: {Default: number; Min: number; Max: number}
}

/** dc speaks Consul's RPC protocol numbering: 2 by default, 2 to 3 understood. */
export const RPC_PROTOCOL = {Default: 2, Min: 2, Max: 3}

export function versionLines(info: VersionInfo): string[] {
  const human = info.Prerelease ? `${info.Version}-${info.Prerelease}` : info.Version
  const lines = [`dc v${human}`]
  if (info.Revision) lines.push(`Revision ${info.Revision}`)
  lines.push(`Build Date ${info.BuildDate}`)
  const {Default, Min, Max} = info.RPC
  const extra = Default < Max ? ` (agent will automatically use protocol >${Default} when speaking to compatible agents)` : ''
  lines.push(`Protocol ${Default} spoken by default, understands ${Min} to ${Max}${extra}`)
  return lines
}

/** RFC 3339 in UTC without fractional seconds, as Go's time.RFC3339 prints it. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
