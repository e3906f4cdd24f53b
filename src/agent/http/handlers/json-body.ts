import {badRequest} from '../errors.js'

/** Decodes a JSON request body; malformed JSON is a 400 with Consul's wording. */
export function parseJsonBody<T>(body: Buffer): T {
  try {
    return JSON.parse(body.toString('utf8')) as T
  } catch (e) {
    throw badRequest(`Request decode failed: ${(e as Error).message}`)
  }
}
