import {closeSync, fdatasync, fdatasyncSync, openSync} from 'node:fs'
import {dirname} from 'node:path'

/**
 * Makes SQLite's write-ahead log durable with fdatasync on the WAL file itself, so the
 * connection can run with `synchronous = NORMAL` (commits only write; checkpoints still
 * sync in SQLite's own order) and the Raft store decides when to wait for the disk:
 * - now(): on the calling thread, as `synchronous = FULL` would at each commit;
 * - later(cb): on libuv's thread pool, so the event loop keeps serving while the disk
 *   syncs. Requests made while a sync runs share the next one (group commit): one
 *   fdatasync covers every write made before it started.
 * fdatasync is what SQLite itself calls on Linux for a WAL sync.
 */
export class WalSync {
  private readonly fd: number
  private running = false
  private waiting: ((err?: Error) => void)[] = []
  private closed = false

  /** Opens the WAL of `dbFile` (it must exist: the connection is open in WAL mode) and syncs its directory once. */
  constructor(dbFile: string) {
    this.fd = openSync(`${dbFile}-wal`, 'r')
    // The WAL's directory entry must be durable too; it persists while the database is open.
    const dir = openSync(dirname(dbFile), 'r')
    try {
      fdatasyncSync(dir)
    } finally {
      closeSync(dir)
    }
  }

  now(): void {
    fdatasyncSync(this.fd)
  }

  later(cb: (err?: Error) => void): void {
    if (this.closed) {
      setImmediate(() => cb(new Error('raft store closed before its write was durable')))
      return
    }
    this.waiting.push(cb)
    if (!this.running) this.start()
  }

  /** Closes the file once no sync is running; callers still waiting get an error. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (!this.running) this.release()
  }

  private start(): void {
    const batch = this.waiting
    this.waiting = []
    this.running = true
    fdatasync(this.fd, (err) => {
      this.running = false
      const e = err ? new Error(`fdatasync of the raft log failed: ${err.message}`, {cause: err}) : undefined
      for (const cb of batch) cb(e)
      if (this.closed) this.release()
      else if (this.waiting.length > 0) this.start()
    })
  }

  private release(): void {
    closeSync(this.fd)
    const left = this.waiting
    this.waiting = []
    if (left.length > 0) setImmediate(() => { for (const cb of left) cb(new Error('raft store closed before its write was durable')) })
  }
}
