import { LOG_FOLLOWERS } from './log-follow'

/** Why a follow was not admitted: too many on the worker, or too many from one client. */
export type FollowRefusal = 'worker' | 'client'

/**
 * The live followers of one worker's logs, kept by its name's object (one instance, so the count is
 * the whole platform's). A follower is alive while it polls: each read says so, and one silent for
 * longer than LOG_FOLLOWERS.staleMs (it closed the tab, its isolate went) stops counting. Memory
 * only: an object that is evicted was not being polled, so nobody was following.
 */
export class LogFollowers {
  private readonly active = new Map<string, { client: string; seenAt: number }>()

  /** Admits a new follower of `client`, or says which cap it would pass. */
  admit(followId: string, client: string, now: number): FollowRefusal | null {
    this.forgetStale(now)
    if (this.active.has(followId)) return null
    if (this.active.size >= LOG_FOLLOWERS.perWorker) return 'worker'
    const fromClient = [...this.active.values()].filter((follower) => follower.client === client).length
    if (fromClient >= LOG_FOLLOWERS.perClient) return 'client'
    this.active.set(followId, { client, seenAt: now })
    return null
  }

  /** A follower polled: it is still there. Unknown (or forgotten) followers are not brought back. */
  seen(followId: string, now: number): boolean {
    const follower = this.active.get(followId)
    if (!follower) return false
    follower.seenAt = now
    return true
  }

  private forgetStale(now: number): void {
    for (const [id, follower] of this.active) {
      if (now - follower.seenAt > LOG_FOLLOWERS.staleMs) this.active.delete(id)
    }
  }
}
