import {PluginError} from '../plugins/errors.js'

/** A retry_join entry in go-discover's form: `provider=aws tag_key=consul tag_value="a b"`. */
export interface ProviderEntry {
  provider: string
  args: Record<string, string>
}

export function isProviderEntry(entry: string): boolean {
  return entry.trimStart().startsWith('provider=')
}

/**
 * Splits an entry into key=value pairs, as go-discover does: pairs are separated by spaces,
 * a value may be double-quoted (with \" and \\ escapes) to hold spaces; a key given twice
 * keeps the last value.
 */
export function parseProviderEntry(entry: string): ProviderEntry {
  const args: Record<string, string> = {}
  const re = /\s*([A-Za-z0-9_.-]+)=("((?:[^"\\]|\\.)*)"|[^\s"]*)\s*/y
  let i = 0
  const s = entry.trim()
  while (i < s.length) {
    re.lastIndex = i
    const m = re.exec(s)
    if (!m) throw new PluginError(`retry_join entry ${JSON.stringify(entry)}: cannot read it at ${JSON.stringify(s.slice(i, i + 20))}; use key=value pairs separated by spaces, e.g. provider=file path=/etc/dc/peers`)
    args[m[1]] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]
    i = re.lastIndex
  }
  const provider = args.provider ?? ''
  delete args.provider
  if (!provider) throw new PluginError(`retry_join entry ${JSON.stringify(entry)}: provider= is empty`)
  return {provider, args}
}
