import {relative} from 'node:path'
import type {Reporter, SerializedError, TestModule, TestRunEndReason, TestSuite} from 'vitest/node'

/**
 * CI reads the last line: "N passed, N failed, N skipped". It must never say 0 failed when
 * vitest exits non-zero, so besides failed tests it counts as failed: every suite or file
 * whose hook failed or that failed to load (vitest marks its tests skipped, or has none),
 * every unhandled error outside a test, and a run that vitest ended as failed for any other
 * reason. Skips that carry a reason (`ctx.skip(reason)`, e.g. a missing Debian tool) are
 * listed above the line, one line per reason and file.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    process.stdout.write(summarize(testModules, unhandledErrors, reason))
  }
}

export function summarize(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): string {
  let passed = 0
  let failed = 0
  let skipped = 0
  const notes = new Map<string, number>()
  const outside: string[] = []
  for (const m of testModules) {
    const file = relative(process.cwd(), m.moduleId)
    for (const t of m.children.allTests()) {
      const r = t.result()
      if (r.state === 'passed') passed++
      else if (r.state === 'failed') failed++
      else {
        skipped++
        if (r.state === 'skipped' && r.note) {
          const key = `${file}: ${r.note}`
          notes.set(key, (notes.get(key) ?? 0) + 1)
        }
      }
    }
    // Errors on a module or suite are errors outside any test: a failed beforeAll/afterAll
    // or a file that failed to load.
    const suites: Array<TestModule | TestSuite> = [m, ...m.children.allSuites()]
    for (const s of suites) {
      const errs = s.errors()
      if (errs.length === 0) continue
      failed++
      const where = s.type === 'module' ? file : `${file} > ${s.fullName}`
      outside.push(`${where}: ${firstLine(errs[0])}`)
    }
  }
  for (const e of unhandledErrors) {
    failed++
    outside.push(`unhandled error: ${firstLine(e)}`)
  }
  if (reason !== 'passed' && failed === 0) {
    failed++
    outside.push(`run ended as ${reason} outside any test (see vitest's output above)`)
  }
  let out = '\n'
  for (const [key, n] of notes) out += `skipped ${n} in ${key}\n`
  for (const line of outside) out += `failed outside a test: ${line}\n`
  return `${out}${passed} passed, ${failed} failed, ${skipped} skipped\n`
}

function firstLine(e: SerializedError): string {
  return String(e.message ?? e.name ?? 'error').split('\n')[0]
}
