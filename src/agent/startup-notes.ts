import type {RuntimeConfig} from './config/runtime.js'

/** What the agent accepts but cannot do yet, said in the log at start instead of failing. */
export function startupNotes(config: RuntimeConfig, addressNote?: string): string[] {
  const notes: string[] = []
  if (addressNote) notes.push(addressNote)
  if (config.bootstrapExpect > 1) notes.push(`bootstrap_expect = ${config.bootstrapExpect}: multi-server Raft over gossip is not implemented yet; this server will wait for peers that cannot arrive`)
  return notes
}
