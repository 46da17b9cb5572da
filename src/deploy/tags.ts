import { PlatformError } from '../core/errors'
import { truncate } from '../lib/format'

/**
 * A worker's own tags, to list and search workers by (docs/deployments.md#tags). Cloudflare allows
 * 8 tags per script, and the dispatch-namespace backend uses two for the platform (`name:`,
 * `owner:`), so a tenant gets the other 6; Cloudflare's tag search splits on "," and "&".
 */
export const MAX_TAGS = 6
export const MAX_TAG_LENGTH = 64
const TAG = /^[^,&\s](?:[^,&]*[^,&\s])?$/
/** The platform's own tags (dispatch-namespace). */
const RESERVED_PREFIXES = ['name:', 'owner:']

/** The tags as stored: trimmed, duplicates dropped, each checked; or a 400 naming the one refused. */
export function checkTags(input: string[]): string[] {
  const tags = [...new Set(input.map((tag) => tag.trim()).filter(Boolean))]
  if (tags.length > MAX_TAGS) {
    throw invalid(
      `At most ${MAX_TAGS} tags per worker (Cloudflare's 8 per script, 2 of them the platform's); this upload has ${tags.length}.`,
    )
  }
  for (const tag of tags) {
    const shown = truncate(tag, 80)
    if (tag.length > MAX_TAG_LENGTH) throw invalid(`The tag "${shown}" is longer than ${MAX_TAG_LENGTH} characters.`)
    if (!TAG.test(tag))
      throw invalid(`The tag "${shown}" may not hold "," or "&" (Cloudflare's tag search splits on them).`)
    if (RESERVED_PREFIXES.some((prefix) => tag.startsWith(prefix))) {
      throw invalid(
        `The tag "${shown}" starts with "${tag.slice(0, tag.indexOf(':') + 1)}", which the platform's own tags use.`,
      )
    }
  }
  return tags
}

function invalid(message: string): PlatformError {
  return new PlatformError('invalid_settings', message)
}
