import type {Hook} from '@oclif/core'

/**
 * Consul's CLI is Go-flag style: `-data-dir=x`, `-bootstrap-expect 3`. Rewrite a
 * single-dash long flag to `--` only when the command defines it, so positional
 * values such as `-foo` and unknown flags still reach oclif untouched.
 */
const hook: Hook.Preparse = async function ({argv, options}) {
  const known = new Set<string>()
  for (const [name, def] of Object.entries(options.flags ?? {})) {
    known.add(name)
    for (const alias of (def as {aliases?: string[]}).aliases ?? []) known.add(alias)
  }
  return consulFlagArgv(argv, known)
}

/** The hook's rewrite; the fast CLI path (src/cli/fast/parse.ts) applies the same one. */
export function consulFlagArgv(argv: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = []
  let rest = false
  for (const a of argv) {
    if (rest || a === '--') {
      rest = true
      out.push(a)
      continue
    }
    const m = /^-([A-Za-z][\w-]+)(=.*)?$/s.exec(a)
    out.push(m && known.has(m[1]) ? `-${a}` : a)
  }
  return out
}

export default hook
