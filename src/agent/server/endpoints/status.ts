/** What Status.* and Operator.Raft* report, from the server's Raft. */
export interface RaftStatusPort {
  leaderAddress(): string
  peers(): string[]
  configuration(): {Servers: {ID: string; Node: string; Address: string; Leader: boolean; Voter: boolean; ProtocolVersion: string}[]; Index: number}
}

export function statusEndpoints(raft: RaftStatusPort) {
  return {
    /** The leader's RPC address, "" when there is none. */
    'Status.Leader': async (): Promise<string> => raft.leaderAddress(),
    /** The voters' RPC addresses in this server's Raft configuration ([] when empty). */
    'Status.Peers': async (): Promise<string[]> => raft.peers(),
  }
}
