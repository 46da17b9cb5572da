// A name's owner generation is its owner ID: minted afresh at every claim, kept across deploys,
// rollbacks and promotes, never reused. Work started for one generation — an invocation still
// running, a cron run, a metrics aggregate waiting in an isolate — carries it, and may write for
// the name only while that generation still holds it. So a deleted owner's in-flight work writes
// nothing into a re-claimed name, and nothing back after the purge of the old owner's data.

/** Asks the name's authority (its NameClaim object) whether `ownerId` holds the name now. */
export type HoldsName = (ownerId: string) => Promise<boolean>

/**
 * What an object that stores for a name (its database, KV ledger or metrics) knows of the owners it
 * has written for: each is asked about once per object life, then kept — an owner ID that lost the
 * name never gets it back, and the purge retires the one it deletes, so later writes are refused
 * without asking again.
 */
export class GenerationGate {
  private readonly known = new Map<string, boolean>()

  constructor(private readonly holds: HoldsName) {}

  /** Whether work of `ownerId` may still write here. */
  async admits(ownerId: string): Promise<boolean> {
    let holds = this.known.get(ownerId)
    if (holds === undefined) {
      holds = await this.holds(ownerId)
      this.known.set(ownerId, holds)
    }
    return holds
  }

  /** `ownerId` lost the name (its data is being deleted): nothing more of it is written here. */
  retire(ownerId: string): void {
    this.known.set(ownerId, false)
  }
}

/** The message tenant code sees when it writes for an owner that no longer holds the name. */
export const RETIRED_OWNER =
  'This worker was deleted (or its name is owned by someone else now): its storage takes no more writes.'
