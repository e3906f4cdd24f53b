#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js: @oclif/core, every command, the API client, chalk,
// cli-table3) into dist/cli.bundle.js, which bin/run.js loads when present. One file parses
// in a fraction of the time Node takes to resolve and load ~200 separate modules.
// Left outside: the agent runtime (loaded by `dc agent` only, with its native SQLite
// binding) and the TypeScript loaders oclif probes for in development.
import {build} from 'esbuild'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Smaller source is less for V8 to read and pre-parse at every start; names are kept
  // because error messages and oclif's debug output print class names.
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['typescript', 'tsx', 'ts-node', 'better-sqlite3'],
  // The CommonJS parts (oclif) call require() and read their own package.json through
  // __dirname; give them both, __dirname pointing at @oclif/core's lib as it would unbundled.
  banner: {
    js: [
      "import {createRequire as __dcCreateRequire} from 'node:module'",
      "import {dirname as __dcDirname, join as __dcJoin} from 'node:path'",
      'const require = __dcCreateRequire(import.meta.url)',
      "const __dirname = __dcJoin(__dcDirname(require.resolve('@oclif/core/package.json')), 'lib')",
      "const __filename = __dcJoin(__dirname, 'index.js')",
    ].join('\n'),
  },
  plugins: [{
    name: 'agent-runtime-external',
    setup(b) {
      // `dc agent` imports the runtime lazily; keep it a runtime import of dist/agent/cli.js.
      b.onResolve({filter: /\/agent\/cli\.js$/}, () => ({path: './agent/cli.js', external: true}))
    },
  }],
})
