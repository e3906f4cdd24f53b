import {describe} from 'vitest'
import {twoDcSeedTests} from './seed-tests.js'

/** The other half of the two-datacenter simulation's seeds (a second file so vitest runs both halves in parallel). */
describe('two-datacenter simulation (second half of the seeds)', () => {
  twoDcSeedTests(1, 2)
})
