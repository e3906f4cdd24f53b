/**
 * Wire constants of the server RPC port (8300).
 *
 * As in Consul (agent/pool/conn.go, `pool.RPCType`), the first byte a client sends on a
 * new connection selects the protocol spoken for the rest of it. Consul's values are kept
 * for the protocols dc will carry later so a reader of both code bases sees the same
 * numbers; the multiplexed msgpack RPC that dc speaks today is dc's own and gets its own
 * byte. It stays below 20 because RFC 7983 leaves TLS content types 0–19 unassigned, so
 * any of these bytes can later be told apart from a TLS ClientHello (0x16), as Consul does.
 */
export const RpcType = {
  /** Consul's net/rpc + msgpack codec, one call at a time. dc does not speak it (reserved). */
  Consul: 0x00,
  /** Raft transport (src/agent/raft/transport-tcp.ts registers it with onProtocol; wire in raft-wire.ts). */
  Raft: 0x01,
  /** Consul's yamux multiplexing (reserved, not spoken). */
  MultiplexV2: 0x04,
  /** Snapshot stream (reserved for the snapshot issue). */
  Snapshot: 0x05,
  /**
   * dc's multiplexed RPC: length-prefixed, versioned msgpack frames carrying many
   * concurrent calls identified by sequence number (see codec.ts). dc-specific.
   */
  DcMux: 0x10,
} as const

/**
 * Frame layout after the type byte, in both directions:
 *   uint32 BE length N | N bytes: [codec version byte][msgpack message]
 * N counts the version byte, so N >= 1; a frame with N > maxFrameBytes is refused
 * before its body is buffered.
 */
export const FRAME_HEADER_BYTES = 4
export const CODEC_VERSION = 1

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024
