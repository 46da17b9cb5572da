import { looseObject, string, type GenericSchema } from 'valibot'
import { parseStored } from '../core/schema'
import type { AccountInfo } from './account.do'

// Each account is one Durable Object, and objects cannot be listed: the operator's admin page lists
// accounts from this index in KV instead, and shows each worker's account from it. An account is
// noted before its object opens (so the index holds every account, and at most one whose opening
// failed: the listing skips an account whose object does not answer), and again whenever one of its
// workers is listed under it, which also brings in accounts from before the index. A worker's
// account follows Accounts.addWorker / removeWorker, the calls that keep the account's own list.
const ACCOUNT_PREFIX = 'accounts/'
const WORKER_PREFIX = 'account-of/'

const accountSchema: GenericSchema<AccountInfo> = looseObject({
  accountId: string(),
  name: string(),
  createdAt: string(),
})

/** One page of the account index (one KV list call). */
export interface AccountPage {
  accounts: AccountInfo[]
  /** Pass back to `list` for the next page; absent on the last page. */
  cursor?: string
}

/** Every account, and the account of each worker that has one: in KV, eventually consistent like the worker list. */
export class AccountIndex {
  constructor(private readonly kv: KVNamespace) {}

  /** Notes an account (its name and creation are kept as the key's metadata, so a page is one list call). */
  noteAccount(info: AccountInfo): Promise<void> {
    const { accountId, name, createdAt } = info
    return this.kv.put(`${ACCOUNT_PREFIX}${accountId}`, '1', { metadata: { accountId, name, createdAt } })
  }

  /**
   * Notes that `name` belongs to `accountId`; an account the index does not have yet (made before
   * it) is noted from `info`, read only then.
   */
  async noteWorker(accountId: string, name: string, info: () => Promise<AccountInfo | null>): Promise<void> {
    await this.kv.put(`${WORKER_PREFIX}${name}`, accountId)
    if ((await this.kv.get(`${ACCOUNT_PREFIX}${accountId}`)) !== null) return
    const found = await info()
    if (found) await this.noteAccount(found)
  }

  /** Forgets the worker's account, when it is still `accountId` (a move has already noted the next). */
  async forgetWorker(accountId: string, name: string): Promise<void> {
    if ((await this.kv.get(`${WORKER_PREFIX}${name}`)) === accountId) await this.kv.delete(`${WORKER_PREFIX}${name}`)
  }

  /** The account a worker belongs to, as last noted; null for none. */
  accountOf(name: string): Promise<string | null> {
    return this.kv.get(`${WORKER_PREFIX}${name}`)
  }

  /** A page of accounts, by ID; a stale or forged cursor throws (the caller's error). */
  async list(limit: number, cursor?: string): Promise<AccountPage> {
    const page = await this.kv.list({ prefix: ACCOUNT_PREFIX, limit, ...(cursor ? { cursor } : {}) })
    const accounts = page.keys.map(({ name, metadata }): AccountInfo => {
      const accountId = name.slice(ACCOUNT_PREFIX.length)
      return parseStored(accountSchema, metadata, `The index entry of account "${accountId}"`)
    })
    return page.list_complete ? { accounts } : { accounts, cursor: page.cursor }
  }
}
