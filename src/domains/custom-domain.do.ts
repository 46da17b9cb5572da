import { DurableObject } from 'cloudflare:workers'
import { array, optional, string } from 'valibot'
import { configFor } from '../core/config'
import { bestEffort } from '../core/follow-up'
import { parseStored } from '../core/schema'
import { hostKey, type HostTarget } from '../names/registry'
import { CustomHostnamesApi } from './custom-hostnames'
import { checkClaim, type DomainServices } from './domain-checks'
import { domainStateSchema, newClaim, verifiedAtOnce, viewOf, type DomainState, type DomainView } from './domain-state'
import { txtValues } from './dns'
import { isTestHostname } from './hostnames'

const CLAIM = 'claim'
/** Custom hostname IDs of claims that ended, still to delete on the zone (one per hostname may exist). */
const DELETIONS = 'deletions'
/** Whether the KV mapping may not match the claim yet (a write that failed is retried). */
const MAPPING_OWED = 'mapping-owed'
/** The hostname this object is for, kept while anything about it is owed (its alarm has no caller to say). */
const HOSTNAME = 'hostname'
const RETRY_MS = 30_000
/** The least time between two checks a tenant asks for. */
const CHECK_NOW_MS = 5_000

/** A worker a claim is for. */
export type DomainWorker = HostTarget

/**
 * One object per hostname (SQLite-backed), the authority on it: a hostname belongs to at most one
 * worker at a time. It keeps the claim's proofs, creates and deletes the custom hostname on the
 * SaaS zone, writes the KV mapping dispatch reads (only while all proofs hold), and sweeps in its
 * alarm: pending claims are read again with backoff, unverified ones expire and free the hostname,
 * deletions Cloudflare refused are retried. The worker's name's object lists its hostnames
 * (names/name-claim.do.ts); this object never trusts that list, only its own claim.
 */
export class CustomDomain extends DurableObject<Env> {
  /**
   * Claims the hostname for `worker`: refused while another worker holds it (an expired claim
   * holds nothing). A fresh claim gets a fresh custom hostname on the zone, so its ownership TXT is
   * a value nobody could have set before; a development hostname (`.test`, no zone) serves at once.
   */
  async claim(hostname: string, worker: DomainWorker): Promise<{ taken: true } | { taken: false; domain: DomainView }> {
    const now = Date.now()
    const held = this.held()
    if (held && !(held.serving || held.expiresAt > now)) await this.end(held)
    else if (held && (held.name !== worker.name || held.ownerId !== worker.ownerId)) return { taken: true }
    else if (held) return { taken: false, domain: viewOf(held) }
    const services = this.services()
    await this.deletePending(services)
    let claim = newClaim(hostname, worker, now)
    if (!services.api) {
      if (!isTestHostname(hostname)) throw new Error('Only .test hostnames are served without a SaaS zone.')
      claim = verifiedAtOnce(claim)
    } else if (this.deletions().length === 0) {
      claim = await checkClaim(claim, services, now)
    } else {
      claim = { ...claim, error: 'The previous claim of this hostname is still being deleted on the zone; retrying.' }
    }
    await this.save(claim)
    return { taken: false, domain: viewOf(claim) }
  }

  /** The claim as the worker page shows it; null when nobody holds the hostname (or `worker` does not). */
  view(worker?: DomainWorker): DomainView | null {
    const held = this.held()
    if (!held || (worker && (held.name !== worker.name || held.ownerId !== worker.ownerId))) return null
    return viewOf(held)
  }

  /**
   * Reads the claim's status now ("Check now", after the tenant created the records) rather than at
   * the next backoff step; at most once per CHECK_NOW_MS. Null when `worker` holds no claim here.
   */
  async checkNow(worker: DomainWorker): Promise<DomainView | null> {
    const held = this.held()
    if (!held || held.name !== worker.name || held.ownerId !== worker.ownerId) return null
    const now = Date.now()
    const services = this.services()
    if (!services.api || this.deletions().length > 0 || now - (held.checkedAt ?? 0) < CHECK_NOW_MS) return viewOf(held)
    const checked = await checkClaim(held, services, now)
    await this.save(checked)
    return viewOf(checked)
  }

  /** Ends `worker`'s claim: traffic stops (the mapping goes), the custom hostname is deleted (retried). Idempotent. */
  async release(worker: DomainWorker): Promise<void> {
    const held = this.held()
    if (held && held.name === worker.name && held.ownerId === worker.ownerId) await this.end(held)
  }

  override async alarm(): Promise<void> {
    const now = Date.now()
    const services = this.services()
    await this.deletePending(services)
    let held = this.held()
    if (held && !held.serving && held.expiresAt <= now) {
      await this.end(held)
      held = undefined
    }
    if (held && held.nextCheckAt <= now && this.deletions().length === 0)
      await this.save(await checkClaim(held, services, now))
    else await this.syncMapping()
    await this.arm()
  }

  private held(): DomainState | undefined {
    return parseStored(optional(domainStateSchema), this.ctx.storage.kv.get(CLAIM), 'The custom domain’s claim')
  }

  private deletions(): string[] {
    return parseStored(optional(array(string()), []), this.ctx.storage.kv.get(DELETIONS), 'The pending deletions')
  }

  private async save(claim: DomainState): Promise<void> {
    this.ctx.storage.kv.put(CLAIM, claim)
    this.ctx.storage.kv.put(HOSTNAME, claim.hostname)
    this.ctx.storage.kv.put(MAPPING_OWED, true)
    await this.syncMapping()
    await this.arm()
  }

  /** The claim is over: no mapping, its custom hostname queued for deletion, the hostname free. */
  private async end(held: DomainState): Promise<void> {
    this.ctx.storage.kv.delete(CLAIM)
    if (held.cloudflareId !== undefined) this.ctx.storage.kv.put(DELETIONS, [...this.deletions(), held.cloudflareId])
    this.ctx.storage.kv.put(MAPPING_OWED, true)
    await this.syncMapping()
    await this.deletePending(this.services())
    await this.arm()
  }

  /** Deletes the custom hostnames of ended claims; what fails stays queued for the alarm. */
  private async deletePending(services: DomainServices): Promise<void> {
    const { api } = services
    const pending = this.deletions()
    if (!api || pending.length === 0) return
    const left: string[] = []
    for (const id of pending) {
      if (!(await bestEffort('delete a custom hostname', () => api.delete(id)))) left.push(id)
    }
    if (left.length > 0) this.ctx.storage.kv.put(DELETIONS, left)
    else this.ctx.storage.kv.delete(DELETIONS)
  }

  /** KV says which worker the hostname serves exactly while the claim serves. */
  private async syncMapping(): Promise<void> {
    if (this.ctx.storage.kv.get(MAPPING_OWED) !== true) return
    const held = this.held()
    const kv = this.env.WORKER_MAPPINGS
    const hostname = parseStored(optional(string()), this.ctx.storage.kv.get(HOSTNAME), 'The custom domain’s hostname')
    if (hostname === undefined) return
    const synced = await bestEffort(`update the mapping of ${hostname}`, () => {
      if (held?.serving) return kv.put(hostKey(hostname), JSON.stringify({ name: held.name, ownerId: held.ownerId }))
      return kv.delete(hostKey(hostname))
    })
    if (synced) this.ctx.storage.kv.delete(MAPPING_OWED)
  }

  /** The next thing due: a check, an expiry, a retry; nothing left, the object keeps nothing. */
  private async arm(): Promise<void> {
    const held = this.held()
    const owed = this.deletions().length > 0 || this.ctx.storage.kv.get(MAPPING_OWED) === true
    const due = [
      ...(held && (this.services().api || !held.serving) ? [held.nextCheckAt] : []),
      ...(held && !held.serving ? [held.expiresAt] : []),
      ...(owed ? [Date.now() + RETRY_MS] : []),
    ]
    if (due.length === 0) {
      if (!held) await this.ctx.storage.deleteAll()
      return
    }
    await this.ctx.storage.setAlarm(Math.max(Math.min(...due), Date.now() + 1))
  }

  private services(): DomainServices {
    const { zone, dnsOverHttpsUrl } = configFor(this.env).domains
    return {
      api: zone && new CustomHostnamesApi(zone),
      txt: (name) => txtValues(dnsOverHttpsUrl, name),
    }
  }
}
