import { randomBytes, randomToken } from '../lib/crypto'
import { toHex } from '../lib/encoding'

// API tokens name the account they belong to, so a request is checked by that account's object
// alone (no global index to keep in step, nothing cached that could outlive a revocation):
//   at_<account id: 16 hex>_<secret: 256 random bits, base64url>
// Only the secret's SHA-256 is stored.

const API_TOKEN = /^at_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/
// A console session's cookie value names its account the same way: s_<account id>_<256 random bits>.
const SESSION = /^s_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

/** The most live (unrevoked) tokens an account may have at once. */
export const MAX_TOKENS_PER_ACCOUNT = 20

/** The longest name a person may give an account or a token (forms and the API alike). */
export const MAX_LABEL_LENGTH = 64

/** A fresh account ID: 64 random bits in hex. */
export function newAccountId(): string {
  return toHex(randomBytes(8))
}

export function newApiToken(accountId: string): string {
  return `at_${accountId}_${randomToken(32)}`
}

/** Whether a credential is meant as an API token (a deploy token starts with dt_). */
export function looksLikeApiToken(token: string): boolean {
  return token.startsWith('at_')
}

/** The account an API token names, and its secret; null for anything not shaped like one. */
export function parseApiToken(token: string): { accountId: string; secret: string } | null {
  const match = API_TOKEN.exec(token)
  return match ? { accountId: match[1]!, secret: match[2]! } : null
}

/** A new console session's value (its cookie's), for an account. */
export function newSessionValue(accountId: string): string {
  return `s_${accountId}_${randomToken(32)}`
}

/** The account a session value names; null for anything not shaped like one. */
export function parseSessionValue(value: string): { accountId: string } | null {
  const match = SESSION.exec(value)
  return match ? { accountId: match[1]! } : null
}
