import {describe, expect, it} from 'vitest'
import {
  FsmError,
  IGNORE_UNKNOWN_FLAG,
  MessageType,
  decodeCommand,
  encodeCommand,
  encodeRaw,
  peekType,
  type Command,
} from '../../../src/store/fsm/index.js'

describe('command codec', () => {
  it('puts the message type in the first byte and round-trips commands', () => {
    const cmds: Command[] = [
      {type: 'kv', op: 'cas', entry: {Key: 'a', Flags: 3, Value: new Uint8Array([0, 255, 7])}, cas: 4, now: 12},
      {type: 'session', op: 'create', session: {ID: 'x', Node: 'n1', LockDelay: 15e9}, now: 1},
      {type: 'txn', ops: [{KV: {Verb: 'set', Key: 'k', Value: new Uint8Array([1, 2])}}], now: 2},
      {type: 'register', req: {Node: 'n1', Address: '1.2.3.4', NodeMeta: {a: 'b'}}},
      {type: 'deregister', req: {Node: 'n1', ServiceID: 'web'}, now: 3},
      {type: 'check-update', node: 'n1', checkId: 'c', status: 'passing', output: 'ok', now: 4},
      {type: 'tombstone-reap', upTo: 99},
    ]
    const expectedTypes = [
      MessageType.KVS,
      MessageType.Session,
      MessageType.Txn,
      MessageType.Register,
      MessageType.Deregister,
      MessageType.CheckUpdate,
      MessageType.Tombstone,
    ]
    cmds.forEach((cmd, i) => {
      const data = encodeCommand(cmd)
      expect(data[0]).toBe(expectedTypes[i])
      expect(decodeCommand(data)).toEqual(cmd)
    })
  })

  it('keeps KV values byte-exact, including empty and non-UTF-8 bytes', () => {
    const value = new Uint8Array(256).map((_, i) => i)
    const cmd = decodeCommand(encodeCommand({type: 'kv', op: 'set', entry: {Key: 'k', Value: value}, now: 0}))
    expect(cmd.type === 'kv' && [...cmd.entry.Value!]).toEqual([...value])
    const empty = decodeCommand(encodeCommand({type: 'kv', op: 'set', entry: {Key: 'k', Value: new Uint8Array(0)}, now: 0}))
    expect(empty.type === 'kv' && empty.entry.Value).toEqual(new Uint8Array(0))
  })

  it('sets the ignore flag on request and strips it when peeking', () => {
    const data = encodeCommand({type: 'tombstone-reap', upTo: 1}, {ignorable: true})
    expect(data[0]).toBe(MessageType.Tombstone | IGNORE_UNKNOWN_FLAG)
    expect(peekType(data)).toEqual({type: MessageType.Tombstone, ignorable: true})
  })

  it('rejects unknown types and malformed payloads with FsmError', () => {
    expect(() => decodeCommand(encodeRaw(42, {}))).toThrow(FsmError)
    expect(() => decodeCommand(new Uint8Array([MessageType.KVS, 0x7b]))).toThrow('failed to decode request')
    expect(() => decodeCommand(encodeRaw(MessageType.KVS, {type: 'txn', ops: [], now: 0}))).toThrow('not a kv command')
    expect(() => peekType(new Uint8Array(0))).toThrow('empty log entry')
  })
})
