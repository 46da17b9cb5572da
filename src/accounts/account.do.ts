import { DurableObject } from 'cloudflare:workers'
import { looseObject, nullish, optional, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import { randomToken } from '../lib/crypto'

/** An account: who signed up, and when. */
export interface AccountInfo {
  accountId: string
  name: string
  createdAt: string
}

/** One API token of an account as it is listed: never its value, which is shown once. */
export interface ApiTokenInfo {
  id: string
  name: string
  createdAt: string
  lastUsedAt?: string
  revokedAt?: string
}

/** What an account holds: its tokens (revoked ones too, for the record) and the workers it owns. */
export interface AccountView extends AccountInfo {
  tokens: ApiTokenInfo[]
  workers: string[]
}

const accountSchema: GenericSchema<AccountInfo> = looseObject({
  accountId: string(),
  name: string(),
  createdAt: string(),
})
const tokenSchema: GenericSchema<ApiTokenInfo> = looseObject({
  id: string(),
  name: string(),
  createdAt: string(),
  lastUsedAt: optional(string()),
  revokedAt: optional(string()),
})

/** The most live (unrevoked) tokens an account may have at once. */
export const MAX_TOKENS_PER_ACCOUNT = 20
/** Last-used times are written at most this often per token: a busy token costs no write per request. */
const LAST_USED_EVERY_MS = 60_000

const tokenKey = (id: string) => `token/${id}`
const hashKey = (hash: string) => `hash/${hash}`
const workerKey = (name: string) => `worker/${name}`

/**
 * One object per account (SQLite-backed): its API tokens, by the SHA-256 of their secret, and the
 * names of the workers it owns. Checking a token is one read here, strongly consistent: a revoked
 * token is refused by the next request, on every isolate. The name's own object stays the authority
 * on who owns a name; the list here is what the account's pages show.
 */
export class Account extends DurableObject<Env> {
  /** Records the account with its first token; false when it exists already. */
  async open(info: AccountInfo, firstToken: { name: string; hash: string }): Promise<ApiTokenInfo | null> {
    if (await this.info()) return null
    await this.ctx.storage.put('account', info)
    return this.addToken(firstToken.name, firstToken.hash, info.createdAt)
  }

  /** Whether a token secret with this hash is live; notes when it was last used. */
  async verify(hash: string, now = Date.now()): Promise<boolean> {
    const id = parseStored(nullish(string(), null), await this.ctx.storage.get(hashKey(hash)), 'A token index entry')
    if (!id) return false
    const token = await this.token(id)
    if (!token || token.revokedAt) return false
    if (!token.lastUsedAt || now - Date.parse(token.lastUsedAt) >= LAST_USED_EVERY_MS) {
      await this.ctx.storage.put(tokenKey(id), { ...token, lastUsedAt: new Date(now).toISOString() })
    }
    return true
  }

  /** A further token; null when the account already has MAX_TOKENS_PER_ACCOUNT live ones. */
  async createToken(name: string, hash: string): Promise<ApiTokenInfo | null> {
    const live = (await this.tokens()).filter((token) => !token.revokedAt)
    if (live.length >= MAX_TOKENS_PER_ACCOUNT) return null
    return this.addToken(name, hash, new Date().toISOString())
  }

  /** Revokes a token at once; false when the account has no such live token. */
  async revokeToken(id: string): Promise<boolean> {
    const token = await this.token(id)
    if (!token || token.revokedAt) return false
    const hashes = await this.ctx.storage.list({ prefix: 'hash/' })
    const indexed = [...hashes].filter(([, tokenId]) => tokenId === id).map(([key]) => key)
    await this.ctx.storage.transaction(async (txn) => {
      await txn.put(tokenKey(id), { ...token, revokedAt: new Date().toISOString() })
      await txn.delete(indexed)
    })
    return true
  }

  async view(): Promise<AccountView | null> {
    const info = await this.info()
    if (!info) return null
    const workers = [...(await this.ctx.storage.list({ prefix: 'worker/' })).keys()].map((key) => key.slice(7))
    return { ...info, tokens: await this.tokens(), workers }
  }

  async addWorker(name: string): Promise<void> {
    await this.ctx.storage.put(workerKey(name), true)
  }

  async removeWorker(name: string): Promise<void> {
    await this.ctx.storage.delete(workerKey(name))
  }

  private async addToken(name: string, hash: string, createdAt: string): Promise<ApiTokenInfo> {
    const token: ApiTokenInfo = { id: `tok_${randomToken(9)}`, name, createdAt }
    await this.ctx.storage.transaction(async (txn) => {
      await txn.put(tokenKey(token.id), token)
      await txn.put(hashKey(hash), token.id)
    })
    return token
  }

  private async info(): Promise<AccountInfo | undefined> {
    return parseStored(optional(accountSchema), await this.ctx.storage.get('account'), 'The account')
  }

  private async token(id: string): Promise<ApiTokenInfo | undefined> {
    return parseStored(optional(tokenSchema), await this.ctx.storage.get(tokenKey(id)), `The token ${id}`)
  }

  private async tokens(): Promise<ApiTokenInfo[]> {
    const stored = await this.ctx.storage.list({ prefix: 'token/' })
    return [...stored.values()]
      .map((value) => parseStored(tokenSchema, value, 'A stored token'))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }
}
