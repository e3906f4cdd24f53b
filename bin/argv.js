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

/**
 * What oclif loads for these arguments. The plugin manager (@oclif/plugin-plugins, `dc
 * plugins …`) is added as a core plugin only for the commands that need it: `plugins*` and
 * help listings. Listing it in package.json would make every command read its package.json
 * and manifest, about 10 ms of CPU on `dc kv get` (measured, docs BENCHMARKS.md). Installed and
 * linked CLI plugins are found without it: oclif reads them from its data dir on every run.
 */
export function loadOptions(args, dir) {
  const first = args.find((a) => !a.startsWith('-'))
  const listing = first === undefined || first === 'help' || args.includes('--help')
  if (!listing && !/^plugins(:|$)/.test(first)) return dir
  return {root: new URL('.', dir).pathname, pluginAdditions: {core: ['@oclif/plugin-plugins']}}
}
