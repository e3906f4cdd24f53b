import type {Socket} from 'node:net'

/**
 * Frames written in the same tick leave in one writev instead of one syscall each
 * (corked until the next tick): under load most of a connection's calls or answers
 * complete together. Shared by both ends of an RPC connection.
 */
export function batchedWriter(sock: Socket): (frame: Buffer) => void {
  let corked = false
  return (frame) => {
    if (!corked) {
      corked = true
      sock.cork()
      process.nextTick(() => {
        corked = false
        sock.uncork()
      })
    }
    sock.write(frame)
  }
}
