import type {RuntimeConfig} from './config/runtime.js'

/** Warnings about the configuration, said in the log at start (Consul's builder warnings). */
export function startupNotes(config: RuntimeConfig, addressNote?: string): string[] {
  const notes: string[] = []
  if (addressNote) notes.push(addressNote)
  // A quorum of 2 of 2 survives no failure; 4 servers tolerate no more failures than 3 do.
  if (config.server && config.bootstrapExpect === 2) {
    notes.push('bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table')
  } else if (config.server && config.bootstrapExpect > 2 && config.bootstrapExpect % 2 === 0) {
    notes.push('bootstrap_expect is even number: A cluster with an even number of servers does not achieve optimum fault tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table')
  }
  return notes
}
