/** `info`: each Stats section as `name:` then `\tkey = value`, sections and keys sorted. */
export function infoLines(stats: Record<string, Record<string, unknown>>): string[] {
  const lines: string[] = []
  for (const section of Object.keys(stats).sort()) {
    lines.push(`${section}:`)
    const values = stats[section] ?? {}
    for (const key of Object.keys(values).sort()) lines.push(`\t${key} = ${String(values[key])}`)
  }
  return lines
}
