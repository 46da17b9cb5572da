import { randomToken, secretsEqual, sha256 } from '../lib/crypto'
import { toBase64Url } from '../lib/encoding'
import { looseObject, optional, string, type GenericSchema } from 'valibot'

/** Who may change a name: set by the first successful upload, cleared when the worker is deleted. */
export interface Owner {
  ownerId: string
  tokenHash: string
  claimedAt: string
  /** The account that owns the name, when one does (claimed with its API token, or moved into it). */
  accountId?: string
}

export const ownerSchema: GenericSchema<Owner> = looseObject({
  ownerId: string(),
  tokenHash: string(),
  claimedAt: string(),
  accountId: optional(string()),
})

/**
 * The caller's credential as the Worker established it: admin is checked there (ADMIN_TOKEN), and
 * so is an API token, which arrives here as the account it speaks for; a deploy token is checked here.
 */
export interface Credential {
  token?: string
  admin: boolean
  accountId?: string
  /**
   * The hash of a deploy token, from a console session the name's object checked (the token itself
   * is not kept): it acts as that token did, while it is still the owner's.
   */
  tokenHash?: string
  /** Established from an account's console session rather than an API token (the audit log says which). */
  console?: true
}

/**
 * What a caller proves itself with: a token as sent (deploy, API or admin token, checked by
 * NameChanges.credential), or a credential already established — a console session's account.
 */
export type Proof = string | Credential | undefined

/** Why a caller may not act on a name. */
export type Refusal = 'name_taken' | 'token_required' | 'token_invalid' | 'other_account'

/** Deploy tokens: 256 random bits, shown to the owner once; only their SHA-256 is stored. */
export function newDeployToken(): string {
  return `dt_${randomToken(32)}`
}

/** The owner a first deploy makes of a free name, and its deploy token (shown once; only its hash is kept). */
export async function newOwner(
  ownerId: string,
  claimedAt: string,
  accountId?: string,
): Promise<{ owner: Owner; token: string }> {
  const token = newDeployToken()
  return {
    token,
    owner: { ownerId, tokenHash: await hashToken(token), claimedAt, ...(accountId ? { accountId } : {}) },
  }
}

export function newOwnerId(): string {
  return `o-${randomToken(9)}`
}

export async function hashToken(token: string): Promise<string> {
  return toBase64Url(await sha256(token))
}

/**
 * Whether `credential` may act on a name owned by `owner` (null: it may). A free name is open to
 * anyone and an admin may act on any name; otherwise the deploy token must match, or the name must
 * belong to the account of the caller's API token. `claimedBefore`
 * tells a caller who knew the name was taken (token_required / token_invalid, 403) from one who
 * started while it was still free and lost the race for it (name_taken, 409).
 */
export async function authorize(
  owner: Owner | undefined,
  credential: Credential,
  claimedBefore: boolean,
): Promise<Refusal | null> {
  if (!owner || credential.admin) return null
  if (credential.accountId) {
    if (owner.accountId === credential.accountId) return null
    return claimedBefore ? 'other_account' : 'name_taken'
  }
  const presented = credential.tokenHash ?? (credential.token ? await hashToken(credential.token) : undefined)
  if (!presented) return claimedBefore ? 'token_required' : 'name_taken'
  if (await secretsEqual(presented, owner.tokenHash)) return null
  return claimedBefore ? 'token_invalid' : 'name_taken'
}
