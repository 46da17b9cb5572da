import { PlatformError } from '../platform/errors'
import type { WorkerPage } from '../platform/registry'
import type { PlatformService } from '../platform/service'

export const PAGE_SIZE = 50

/** One page of the worker list (a single KV list call); a stale or forged cursor is a 400. */
export async function listPage(platform: PlatformService, cursor: string | undefined): Promise<WorkerPage> {
  try {
    return await platform.list({ limit: PAGE_SIZE, cursor: cursor || undefined })
  } catch (error) {
    if (cursor) throw new PlatformError('invalid_request', 'That page link is no longer valid. Start again from the first page.')
    throw error
  }
}
