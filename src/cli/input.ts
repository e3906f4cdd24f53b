import {readFileSync} from 'node:fs'

/** Where `-` reads from; the command passes process.stdin, tests pass a buffer. */
export type StdinReader = () => Promise<Buffer>

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c)
  return Buffer.concat(chunks)
}

/**
 * Consul's DATA argument convention: `@path` reads a file, `-` alone reads
 * stdin, anything else (including `-x`) is the literal value.
 */
export async function readDataArg(arg: string, stdin: StdinReader): Promise<Buffer> {
  if (arg.startsWith('@')) {
    try {
      return readFileSync(arg.slice(1))
    } catch (e) {
      throw new Error(`Failed to read file: ${(e as Error).message}`)
    }
  }
  if (arg === '-') {
    try {
      return await stdin()
    } catch (e) {
      throw new Error(`Failed to read stdin: ${(e as Error).message}`)
    }
  }
  return Buffer.from(arg)
}

/** `-meta k=v` / `-node-meta k=v` pairs (Consul's FlagMapValue: split at the first `=`). */
export function parseKeyValues(items: readonly string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!items?.length) return undefined
  const out: Record<string, string> = {}
  for (const item of items) {
    const i = item.indexOf('=')
    if (i <= 0) throw new Error(`Invalid -${flag} value ${JSON.stringify(item)}: expected key=value`)
    out[item.slice(0, i)] = item.slice(i + 1)
  }
  return out
}
