import type { RequestScope } from '../core/follow-up'
import { PlatformError } from '../core/errors'
import { bestEffort } from '../core/follow-up'
import type { Proof } from '../names/ownership'
import type { Workers } from '../names/workers'
import type { Suspensions } from './suspensions'

/** The most workers one delete by tag removes: a larger set is deleted in several rounds. */
export const MAX_TAGGED_DELETES = 100

/** What a delete by tag did: the workers deleted, and those that could not be (named with why). */
export interface TaggedDeletes {
  deleted: string[]
  failed: { name: string; message: string }[]
}

/**
 * Deleting every worker with a tag (docs/operators.md), the operator's only: each through the
 * platform's own delete (Workers.remove), so every step of its name's outbox runs — mapping, code,
 * data, Durable Objects, custom domains. KV's list may lag, so each worker found there is checked
 * against its name's object (the authority) before it is deleted; and the caller confirms the
 * count it was shown, so a list that changed meanwhile is shown again rather than deleted.
 */
export class TagDeletes {
  constructor(
    private readonly parts: {
      workers: Pick<Workers, 'tagged' | 'remove'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
    },
  ) {}

  /** The workers tagged `tag` now (at most MAX_TAGGED_DELETES), for the confirmation. */
  async tagged(tag: string, proof: Proof): Promise<string[]> {
    await this.parts.suspensions.assertAdmin(proof)
    return (await this.parts.workers.tagged(tag, MAX_TAGGED_DELETES)).map((record) => record.name)
  }

  /** Deletes the workers tagged `tag`, when there are exactly `confirmed` of them (409 otherwise, with the list). */
  async delete(tag: string, confirmed: number, proof: Proof, scope: RequestScope): Promise<TaggedDeletes> {
    const names = await this.tagged(tag, proof)
    if (names.length !== confirmed) {
      throw new PlatformError(
        'conflict',
        `The tag "${tag}" is on ${names.length} workers now, not ${confirmed}: look at the list again, then confirm its count.`,
      )
    }
    const result: TaggedDeletes = { deleted: [], failed: [] }
    for (const name of names) {
      let message = ''
      const done = await bestEffort(`delete "${name}"`, async () => {
        try {
          await this.parts.workers.remove(name, proof, scope)
        } catch (error) {
          message = error instanceof PlatformError ? error.message : 'The delete failed.'
          throw error
        }
      })
      if (done) result.deleted.push(name)
      else result.failed.push({ name, message })
    }
    return result
  }
}
