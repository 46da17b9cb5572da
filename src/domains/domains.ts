import type { RequestScope } from '../core/follow-up'
import { auditSource } from '../names/audit-source'
import type { Config } from '../core/config'
import { PlatformError, workerNotFound } from '../core/errors'
import { bestEffort } from '../core/follow-up'
import { assertValidName } from '../core/names'
import { canonicalHost } from '../lib/ip'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { refusal } from '../names/refusals'
import type { CustomDomain, DomainWorker } from './custom-domain.do'
import type { DomainView } from './domain-state'
import { checkHostname, type HostnameRules } from './hostnames'

/** A hostname the worker lists, as its page shows it: the claim, or that it expired (the hostname is free again). */
export type ListedDomain = DomainView | { hostname: string; state: 'expired' }

/**
 * Tenants' own hostnames (docs/custom-domains.md): add, list and remove them for a worker's owner.
 * The worker's name's object lists them and counts them (names/name-claim.do.ts); each hostname's
 * object holds the claim (custom-domain.do.ts). Reading never calls Cloudflare: the objects' alarms do.
 */
export class Domains {
  constructor(
    private readonly parts: {
      config: Pick<Config, 'domains' | 'userWorkersDomain'>
      changes: Pick<NameChanges, 'claim' | 'credential'>
      objects: DurableObjectNamespace<CustomDomain>
    },
  ) {}

  /** The rules a hostname is checked by, for a request that reached the platform at `requestHost`. */
  rules(requestHost: string): HostnameRules {
    const { domains, userWorkersDomain } = this.parts.config
    return { platformHosts: [...domains.platformHostnames, requestHost], userWorkersDomain, saasZone: !!domains.zone }
  }

  /** The worker's hostnames with their state, for its owner. */
  async list(name: string, proof: Proof): Promise<ListedDomain[]> {
    const { hostnames, worker } = await this.index(name, proof)
    return this.views(hostnames, worker)
  }

  /**
   * Claims `input` for the worker: checked by the rules (400 naming the one it breaks), counted
   * (MAX_DOMAINS_PER_WORKER), then claimed in the hostname's object (409 while another worker holds
   * it: the worker's list is put back as it was).
   */
  async add(name: string, input: string, proof: Proof, requestHost: string, scope: RequestScope): Promise<DomainView> {
    const { changes, config } = this.parts
    const hostname = checkHostname(input, this.rules(requestHost))
    const credential = await changes.credential(proof)
    const claim = changes.claim(assertValidName(name))
    const added = await claim.domains(credential, { add: hostname, max: config.domains.maxPerWorker })
    if (!added.ok) throw refusal(added.reason, 'change')
    if (!added.found) throw workerNotFound(name)
    if (added.full) {
      throw new PlatformError(
        'too_many_domains',
        `A worker may have at most ${config.domains.maxPerWorker} custom domains (MAX_DOMAINS_PER_WORKER): remove one first.`,
      )
    }
    const undo = () =>
      added.changed && bestEffort('unlist a refused domain', () => claim.domains(credential, { remove: hostname }))
    try {
      const result = await this.object(hostname).claim(hostname, { name, ownerId: added.ownerId })
      if (!result.taken) {
        const entry = { action: 'domain-add', detail: `Added the custom domain ${hostname}.` } as const
        await bestEffort('record the domain', () =>
          claim.recordChange(credential, [entry], auditSource(credential, scope)),
        )
        return result.domain
      }
    } catch (error) {
      await undo()
      throw error
    }
    await undo()
    throw new PlatformError('domain_taken', `${hostname} is another worker's custom domain.`)
  }

  /** Reads the status of the worker's claim of `hostname` from Cloudflare now (at most every few seconds). */
  async check(name: string, input: string, proof: Proof): Promise<ListedDomain> {
    const hostname = normalized(input)
    const { hostnames, worker } = await this.index(name, proof)
    if (!hostnames.includes(hostname)) throw notListed(name, hostname)
    return (await this.object(hostname).checkNow(worker)) ?? { hostname, state: 'expired' }
  }

  /** Ends the worker's claim of `hostname` (traffic stops, the custom hostname is deleted), then unlists it. */
  async remove(name: string, input: string, proof: Proof, scope: RequestScope): Promise<void> {
    const hostname = normalized(input)
    const { hostnames, worker } = await this.index(name, proof)
    if (!hostnames.includes(hostname)) throw notListed(name, hostname)
    await this.object(hostname).release(worker)
    const credential = await this.parts.changes.credential(proof)
    const claim = this.parts.changes.claim(name)
    await claim.domains(credential, { remove: hostname })
    const entry = { action: 'domain-remove', detail: `Removed the custom domain ${hostname}.` } as const
    await bestEffort('record the domain', () => claim.recordChange(credential, [entry], auditSource(credential, scope)))
  }

  private async index(name: string, proof: Proof): Promise<{ hostnames: string[]; worker: DomainWorker }> {
    const { changes } = this.parts
    const listed = await changes.claim(assertValidName(name)).domains(await changes.credential(proof))
    if (!listed.ok) throw refusal(listed.reason, 'read', 'settings')
    if (!listed.found) throw workerNotFound(name)
    return { hostnames: listed.hostnames, worker: { name, ownerId: listed.ownerId } }
  }

  private views(hostnames: string[], worker: DomainWorker): Promise<ListedDomain[]> {
    return Promise.all(
      hostnames.map(
        async (hostname): Promise<ListedDomain> =>
          (await this.object(hostname).view(worker)) ?? { hostname, state: 'expired' },
      ),
    )
  }

  private object(hostname: string) {
    return this.parts.objects.getByName(hostname)
  }
}

/** A hostname named in a path, as stored (no rules: it only has to match one the worker lists). */
function normalized(input: string): string {
  return canonicalHost(input.trim().toLowerCase().replace(/\.$/, '')) ?? input
}

function notListed(name: string, hostname: string): PlatformError {
  return new PlatformError('domain_not_found', `"${name}" has no custom domain ${hostname}.`)
}
