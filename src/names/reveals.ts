import { looseObject, number, optional, type GenericSchema } from 'valibot'
import { randomToken } from '../lib/crypto'
import { parseStored } from '../core/schema'
import { seal, sealedSecretsSchema, unseal, type SealedSecrets } from './secrets'

/** How long a freshly minted deploy token waits to be shown on the page the upload form redirects to. */
const REVEAL_MS = 5 * 60_000

interface Reveal {
  sealed: SealedSecrets
  expiresAt: number
}

const revealSchema: GenericSchema<Reveal> = looseObject({ sealed: sealedSecretsSchema, expiresAt: number() })

const revealKey = (revealId: string) => `reveal/${revealId}`

/**
 * Deploy tokens waiting to be shown once (the token itself never travels in a URL): each is sealed
 * in the name's object under a one-time key until the page takes it or it expires.
 */
export class Reveals {
  constructor(
    private readonly storage: DurableObjectStorage,
    /** SECRETS_KEY, read when needed: tokens are sealed with it when it is set. */
    private readonly secretsKey: () => string | undefined,
  ) {}

  /** Keeps `token` for one showing; returns the key to take it with. */
  async keep(token: string): Promise<string> {
    const revealId = randomToken()
    const reveal: Reveal = { sealed: await seal({ token }, this.secretsKey()), expiresAt: Date.now() + REVEAL_MS }
    await this.storage.put(revealKey(revealId), reveal)
    return revealId
  }

  /** The token, once; null when taken already or expired. */
  async take(revealId: string): Promise<string | null> {
    const key = revealKey(revealId)
    const reveal = parseStored(optional(revealSchema), await this.storage.get(key), 'A waiting deploy token')
    if (!reveal) return null
    const { token } = await unseal(reveal.sealed, this.secretsKey())
    // Deleted only once read: a failure before this point leaves the token to be shown on a retry.
    await this.storage.delete(key)
    return reveal.expiresAt > Date.now() ? (token ?? null) : null
  }

  /** The storage keys of every waiting token (a delete forgets them with the owner). */
  async keys(): Promise<string[]> {
    return [...(await this.all()).keys()]
  }

  /** When the waiting tokens expire (for the object's alarm). */
  async expiries(): Promise<number[]> {
    return [...(await this.all()).values()].map((reveal) => reveal.expiresAt)
  }

  /** A token nobody came for is not kept: it is deleted when its reveal expires. */
  async forgetExpired(now: number): Promise<void> {
    const expired = [...(await this.all())].filter(([, reveal]) => reveal.expiresAt <= now).map(([key]) => key)
    if (expired.length > 0) await this.storage.delete(expired)
  }

  private async all(): Promise<Map<string, Reveal>> {
    const stored = await this.storage.list({ prefix: 'reveal/' })
    return new Map([...stored].map(([key, value]) => [key, parseStored(revealSchema, value, 'A waiting deploy token')]))
  }
}
