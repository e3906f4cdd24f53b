import type {Socket} from 'node:net'
import {describe, expect, it} from 'vitest'
import {batchedWriter, type FlushAt} from '../../../src/agent/rpc/batched-write.js'

/** A socket stand-in that records what a real one would send: one entry per uncorked batch. */
function fakeSocket() {
  const sent: string[][] = []
  let corked = 0
  let held: string[] = []
  const sock = {
    cork: () => void corked++,
    uncork: () => {
      if (--corked === 0 && held.length) {
        sent.push(held)
        held = []
      }
    },
    write: (b: Buffer) => {
      if (corked) held.push(String(b))
      else sent.push([String(b)])
      return true
    },
  }
  return {sock: sock as unknown as Socket, sent}
}

/** Writes one frame from each of two callbacks of the same loop phase (as two sockets' reads would). */
async function twoCallbacks(flush: FlushAt) {
  const {sock, sent} = fakeSocket()
  const write = batchedWriter(sock, flush)
  await new Promise<void>((done) => {
    setImmediate(() => write(Buffer.from('a')))
    setImmediate(() => {
      write(Buffer.from('b'))
      write(Buffer.from('c'))
    })
    setImmediate(() => setImmediate(done))
  })
  return sent
}

describe('batchedWriter', () => {
  it("'tick' sends what one callback wrote together, each callback on its own", async () => {
    expect(await twoCallbacks('tick')).toEqual([['a'], ['b', 'c']])
  })

  it("'loop' sends what every callback of one loop phase wrote together", async () => {
    expect(await twoCallbacks('loop')).toEqual([['a', 'b', 'c']])
  })
})
