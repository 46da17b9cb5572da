import type { DomainRelease } from '../names/outbox'

/** Ends each claim (traffic stops, the custom hostname is deleted): a deleted worker's domains, from its name's outbox. */
export async function releaseDomains(env: Pick<Env, 'CUSTOM_DOMAINS'>, domains: DomainRelease[]): Promise<void> {
  await Promise.all(
    domains.map(({ hostname, name, ownerId }) => env.CUSTOM_DOMAINS.getByName(hostname).release({ name, ownerId })),
  )
}
