import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {CliCommand, outputFlags} from '../cli/base-command.js'
import {RPC_PROTOCOL, rfc3339, versionLines, type VersionInfo} from '../cli/format/version.js'

export default class Version extends CliCommand {
  static override summary = 'Prints the dc version'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -format=json']
  static override baseFlags = {...outputFlags}

  async run(): Promise<void> {
    await this.parse(Version)
    const [version, prerelease = ''] = this.config.version.split(/-(.*)/s)
    const info: VersionInfo = {
      Version: version,
      Revision: gitRevision(this.config.root),
      Prerelease: prerelease,
      BuildDate: rfc3339(buildTimeMs(this.config.root)),
      RPC: {...RPC_PROTOCOL},
    }
    this.emit(info, versionLines)
  }
}

/** HEAD's commit read straight from .git (no git process); '' outside a checkout. */
function gitRevision(root: string): string {
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim()
    if (!head.startsWith('ref: ')) return head.slice(0, 8)
    const ref = head.slice(5)
    let sha = ''
    try {
      sha = readFileSync(join(root, '.git', ref), 'utf8').trim()
    } catch {
      const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8')
      sha = packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0] ?? ''
    }
    return sha.slice(0, 8)
  } catch {
    return ''
  }
}

/** The build writes oclif.manifest.json last, so its mtime is the build time. */
function buildTimeMs(root: string): number {
  for (const f of ['oclif.manifest.json', 'package.json']) {
    try {
      return statSync(join(root, f)).mtimeMs
    } catch {
      // try the next one
    }
  }
  return 0
}
