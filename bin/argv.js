// oclif checks --help/--version before any parse hook runs, so map Consul's
// single-dash spellings of those here. Every other single-dash long flag is
// rewritten by the preparse hook, which knows each command's flags.
const MAP = {'-h': '--help', '-help': '--help', '-version': '--version'}

export function normalizeArgv(argv) {
  const i = argv.indexOf('--')
  const head = i === -1 ? argv : argv.slice(0, i)
  const tail = i === -1 ? [] : argv.slice(i)
  return [...head.map((a) => MAP[a] ?? a), ...tail]
}
