import type {Message, NodeId} from './core/types.js'

/**
 * Moves Raft messages between servers. Messages are plain data (Uint8Array payloads
 * inside entries and snapshots), so a network transport can frame them as they are.
 *
 * Contract:
 * - send() is fire-and-forget and never throws for network reasons: Raft tolerates
 *   loss, duplication and reordering; a message to an unknown or unreachable peer is
 *   dropped (and reported through onUnreachable when the transport can tell).
 * - The transport must not call the message handler synchronously from send(), and
 *   must not mutate a message after send() returned (nor hand the receiver an object
 *   the sender still holds, if either side could mutate it).
 * - A MsgSnap is delivered whole or not at all; chunking is the transport's business.
 * - After close(), send() is a no-op and no handler is called.
 */
export interface RaftTransport {
  send(msgs: Message[]): void
  /** Registers the one inbound handler (a later call replaces it). */
  onMessage(handler: (m: Message) => void): void
  /** Optional: told when a message to `to` could not be delivered (peer down, link cut). */
  onUnreachable?(handler: (to: NodeId) => void): void
  /**
   * Optional: told when a MsgSnap transfer to `to` ended (ok = fully delivered). A
   * transport that implements this must report every MsgSnap it was given; without
   * it, the driver counts a MsgSnap as delivered once send() returns.
   */
  onSnapshotStatus?(handler: (to: NodeId, ok: boolean) => void): void
  close(): void
}
