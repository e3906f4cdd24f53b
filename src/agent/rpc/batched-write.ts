import type {Socket} from 'node:net'

/**
 * When corked frames leave:
 * - 'tick': at the end of the current tick (process.nextTick). Frames written while one
 *   callback runs (e.g. every answer a Raft step produced) leave together.
 * - 'loop': after the event loop's poll phase (setImmediate). Frames written by every
 *   callback of that phase leave together: a server forwarding writes gets each HTTP
 *   request in its own socket callback, so 'tick' sent one syscall (and the peer one
 *   read) per forwarded call, where 'loop' sends one per loop turn. A frame written from
 *   an immediate callback waits for the next turn, which follows at once.
 */
export type FlushAt = 'tick' | 'loop'

/**
 * Frames written together leave in one writev instead of one syscall each (the socket
 * is corked until `flush`): under load most of a connection's calls or answers complete
 * together. Shared by both ends of an RPC connection and the Raft transport.
 */
export function batchedWriter(sock: Socket, flush: FlushAt = 'tick'): (frame: Buffer) => void {
  let corked = false
  const uncork = () => {
    corked = false
    sock.uncork()
  }
  return (frame) => {
    if (!corked) {
      corked = true
      sock.cork()
      if (flush === 'tick') process.nextTick(uncork)
      else setImmediate(uncork)
    }
    sock.write(frame)
  }
}
