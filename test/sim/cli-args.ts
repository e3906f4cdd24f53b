/**
 * The flags every simulator runner takes: `--seed S` (or DC_SIM_SEED) for one seed, else
 * `--seeds N --from S` (or DC_SIM_SEEDS / DC_SIM_FROM), plus `--verbose` and `--light`;
 * `flag(name)` reads any other `--name value`.
 */
export function seedArgs(argv: string[], defaultCount: number): {flag(name: string): string | undefined; seeds: number[]; verbose: boolean; light: boolean} {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const one = flag('seed') ?? process.env.DC_SIM_SEED
  const count = Number(flag('seeds') ?? process.env.DC_SIM_SEEDS ?? defaultCount)
  const from = Number(flag('from') ?? process.env.DC_SIM_FROM ?? 1)
  const seeds = one !== undefined && one !== '' ? [Number(one)] : Array.from({length: count}, (_, i) => from + i)
  return {flag, seeds, verbose: argv.includes('--verbose'), light: argv.includes('--light')}
}
