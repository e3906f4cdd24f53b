/**
 * Seeds for the gossip simulations, as test/sim does it:
 *   DC_SIM_SEED=123 npx vitest run test/sim/gossip/<file>   replay one seed
 *   DC_SIM_SEEDS=20 DC_SIM_FROM=100 npx vitest run test/sim/gossip   more seeds
 * The default is one seed per scenario, so CI stays within seconds.
 */
export function gossipSeeds(defaultCount = 1): number[] {
  const one = process.env.DC_SIM_SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const count = Number(process.env.DC_SIM_SEEDS ?? defaultCount)
  const from = Number(process.env.DC_SIM_FROM ?? 1)
  return Array.from({length: count}, (_, i) => from + i)
}

/** The failure line: the seed and the command that replays it. */
export function replayHint(seed: number, file: string): string {
  return `seed ${seed}; replay: DC_SIM_SEED=${seed} npx vitest run ${file}`
}
