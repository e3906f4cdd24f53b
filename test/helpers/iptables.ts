/**
 * Network partitions between loopback addresses with iptables (RELIABILITY-PLAN: works as
 * root on loopback). Rules live in a chain of their own, hooked into INPUT, so heal()
 * removes exactly what this test added. Tests call `partitionSupport()` first and skip
 * with its reason when partitions cannot be made here.
 */
import {spawnSync} from 'node:child_process'

const CHAIN = `DC_TEST_${process.pid}`

function ipt(args: string[]): {ok: boolean; err: string} {
  const r = spawnSync('iptables', ['-w', '5', ...args], {encoding: 'utf8', timeout: 10_000})
  return {ok: !r.error && r.status === 0, err: r.error ? String(r.error.message) : (r.stderr || '').trim()}
}

let support: string | undefined | null = null

/** Undefined when partitions work, else why not (not root, no iptables, no netfilter). */
export function partitionSupport(): string | undefined {
  if (support !== null) return support
  if (process.getuid?.() !== 0) return (support = 'network partitions need root (iptables on loopback addresses)')
  const probe = ipt(['-L', 'INPUT', '-n'])
  if (!probe.ok) return (support = `iptables unusable here: ${probe.err || 'not found'} (Debian: apt-get install iptables)`)
  return (support = undefined)
}

export class Partition {
  private active = false

  /** Drops every packet between any address of `a` and any of `b`, both ways. */
  cut(a: string[], b: string[]): void {
    if (!this.active) {
      ipt(['-N', CHAIN])
      const hook = ipt(['-I', 'INPUT', '-j', CHAIN])
      if (!hook.ok) throw new Error(`iptables: ${hook.err}`)
      this.active = true
    }
    for (const x of a) {
      for (const y of b) {
        for (const [s, d] of [[x, y], [y, x]]) {
          const r = ipt(['-A', CHAIN, '-s', s, '-d', d, '-j', 'DROP'])
          if (!r.ok) throw new Error(`iptables: ${r.err}`)
        }
      }
    }
  }

  heal(): void {
    if (!this.active) return
    ipt(['-D', 'INPUT', '-j', CHAIN])
    ipt(['-F', CHAIN])
    ipt(['-X', CHAIN])
    this.active = false
  }
}
