import type { RequestScope } from '../core/follow-up'
import type { AccountIndex } from '../accounts/account-index'
import type { AccountSuspension } from '../accounts/account.do'
import type { Accounts } from '../accounts/accounts'
import type { Config } from '../core/config'
import { PlatformError, workerNotFound } from '../core/errors'
import type { Suspension, WorkerRecord, WorkerSummary } from '../core/model'
import { isValidName } from '../core/names'
import { currentDeployment } from '../deploy/deployments'
import { dayOf, summarize } from '../metrics/metrics'
import type { Metrics } from '../metrics/metrics-recorder'
import type { Proof } from '../names/ownership'
import type { Workers } from '../names/workers'
import type { Suspensions } from './suspensions'

/**
 * A search reads at most this many pages of the worker list (50 names each: 1,000 names) for one
 * page of results; "Search further" goes on from where it stopped. The list is never read whole.
 */
export const MAX_SEARCH_PAGES = 20
/** Results past which a search stops reading the list (a page of the list may add up to 49 more). */
export const SEARCH_RESULTS = 50
/** Accounts per page of the admin page's account list (one KV list call). */
export const ACCOUNTS_PER_PAGE = 50
/** The longest suspension reason (its owner sees it), as the API allows. */
export const MAX_REASON_CHARS = 300

/** A worker as the admin page lists it: from its name's object, the account index and today's metrics. */
export interface WorkerRow {
  name: string
  updatedAt: string
  tags: string[]
  suspended?: Suspension
  /** The account it belongs to, as the account index last noted it; null for none. */
  account: string | null
  /** What it served today (UTC) as flushed; null when the metrics keep no days (METRICS other than local). */
  today: { requests: number; errors: number } | null
  /** Its daily request budget (its own, or the platform's default); null: no limit. */
  budget: { requestsPerDay: number; own: boolean } | null
}

/** What the operator searches the workers by: part of a name, a tag, or both. */
export interface WorkerSearch {
  name?: string | undefined
  tag?: string | undefined
}

/** One page of the admin page's worker list. */
export interface WorkerRows {
  workers: WorkerRow[]
  /** Where the list (or the search) goes on; absent at its end. */
  cursor?: string
  /** Names read from the list for this page (a search reads up to MAX_SEARCH_PAGES pages of it). */
  scanned: number
}

/** An account as the admin page lists it. */
export interface AccountRow {
  accountId: string
  name: string
  createdAt: string
  /** The workers it lists. */
  workers: string[]
  suspended?: AccountSuspension
  /**
   * Its daily request budget across its workers (its own, or the platform's default; null: no
   * limit) and what its workers leased of today so far (served, but for blocks isolates hold unserved).
   * Only on an account's own page.
   */
  budget?: { requestsPerDay: number | null; own: boolean; leasedToday: number }
}

/**
 * What the operator's admin page shows (docs/operators.md#admin-page): workers with their status,
 * tags, account, today's use and budget, searched by name or tag, a page at a time; accounts from
 * the account index; and a worker's delete once its name is typed. ADMIN_TOKEN (or its session) only.
 */
export class Directory {
  constructor(
    private readonly parts: {
      workers: Pick<Workers, 'list' | 'find' | 'remove'>
      accounts: Pick<Accounts, 'view' | 'budgetOf'>
      index: Pick<AccountIndex, 'list' | 'accountOf'>
      metrics: Pick<Metrics, 'readDays'> | undefined
      suspensions: Pick<Suspensions, 'assertAdmin'>
      config: Pick<Config, 'budgets'>
      now: () => number
    },
  ) {}

  /** A page of workers, or of those a search finds; `cursor` goes on from the last page. */
  async workers(search: WorkerSearch, cursor: string | undefined, proof: Proof): Promise<WorkerRows> {
    await this.parts.suspensions.assertAdmin(proof)
    const name = search.name?.trim().toLowerCase() || undefined
    const tag = search.tag?.trim() || undefined
    const filtered = name !== undefined || tag !== undefined
    const matches = (worker: WorkerSummary) =>
      (!name || worker.name.includes(name)) && (!tag || (worker.tags ?? []).includes(tag))
    const found: string[] = []
    // A name typed whole is looked up first, wherever the list would reach it.
    if (name && !tag && !cursor && isValidName(name)) found.push(name)
    let next = cursor
    let pages = 0
    let scanned = 0
    do {
      const page = await this.parts.workers.list(next)
      scanned += page.workers.length
      for (const worker of page.workers) if (matches(worker) && !found.includes(worker.name)) found.push(worker.name)
      next = page.cursor
      pages++
    } while (filtered && next && found.length < SEARCH_RESULTS && pages < MAX_SEARCH_PAGES)
    const rows = await Promise.all(found.map((each) => this.row(each)))
    // The list (KV) may lag: a worker deleted meanwhile, or no longer tagged, is left out.
    const workers = rows.filter((row) => row !== null && (!tag || row.tags.includes(tag))).map((row) => row!)
    return next ? { workers, cursor: next, scanned } : { workers, scanned }
  }

  /** One worker as the list shows it; 404 when there is none. */
  async worker(name: string, proof: Proof): Promise<WorkerRow> {
    await this.parts.suspensions.assertAdmin(proof)
    const row = await this.row(name)
    if (!row) throw workerNotFound(name)
    return row
  }

  /** A page of accounts, by ID; an account whose object never opened is left out. */
  async accounts(cursor: string | undefined, proof: Proof): Promise<{ accounts: AccountRow[]; cursor?: string }> {
    await this.parts.suspensions.assertAdmin(proof)
    let page
    try {
      page = await this.parts.index.list(ACCOUNTS_PER_PAGE, cursor || undefined)
    } catch (error) {
      if (!cursor) throw error
      throw new PlatformError('invalid_request', 'That page link is no longer valid. Start again from the first page.')
    }
    const rows = await Promise.all(page.accounts.map(({ accountId }) => this.accountRow(accountId)))
    const accounts = rows.filter((row) => row !== null)
    return page.cursor ? { accounts, cursor: page.cursor } : { accounts }
  }

  /** One account; 404 when there is none. */
  async account(accountId: string, proof: Proof): Promise<AccountRow> {
    await this.parts.suspensions.assertAdmin(proof)
    const row = await this.accountRow(accountId)
    if (!row) throw new PlatformError('not_found', `There is no account "${accountId}".`)
    const { requestsPerDay: own, leased } = await this.parts.accounts.budgetOf(accountId, dayOf(this.parts.now()))
    const limit = own ?? this.parts.config.budgets.accountRequestsPerDay
    return { ...row, budget: { requestsPerDay: limit > 0 ? limit : null, own: own !== null, leasedToday: leased } }
  }

  /**
   * Deletes a worker through the platform's own delete (every step of its name's outbox), once the
   * operator typed its name: anything else is refused and nothing is deleted.
   */
  async deleteWorker(name: string, typed: string, proof: Proof, scope: RequestScope): Promise<void> {
    await this.parts.suspensions.assertAdmin(proof)
    if (typed.trim() !== name) {
      throw new PlatformError('invalid_request', `Type the worker's name, "${name}", to confirm: nothing was deleted.`)
    }
    await this.parts.workers.remove(name, proof, scope)
  }

  private async row(name: string): Promise<WorkerRow | null> {
    const record = await this.parts.workers.find(name)
    if (!record) return null
    const [account, today] = await Promise.all([this.parts.index.accountOf(name), this.today(record)])
    const requestsPerDay = record.budget?.requestsPerDay ?? this.parts.config.budgets.requestsPerDay
    return {
      name: record.name,
      updatedAt: record.updatedAt,
      tags: currentDeployment(record)?.settings?.tags ?? [],
      ...(record.suspended ? { suspended: record.suspended } : {}),
      account,
      today,
      budget: requestsPerDay > 0 ? { requestsPerDay, own: record.budget !== undefined } : null,
    }
  }

  private async today(record: WorkerRecord): Promise<WorkerRow['today']> {
    const readDays = this.parts.metrics?.readDays?.bind(this.parts.metrics)
    if (!readDays) return null
    const [day] = await readDays(record, dayOf(this.parts.now()))
    if (!day) return { requests: 0, errors: 0 }
    const { requests, errors } = summarize(day)
    return { requests, errors }
  }

  private async accountRow(accountId: string): Promise<AccountRow | null> {
    let view
    try {
      view = await this.parts.accounts.view(accountId)
    } catch (error) {
      // Accounts.view refuses an account it does not have as it refuses a token for it.
      if (error instanceof PlatformError) return null
      throw error
    }
    const { name, createdAt, workers, suspended } = view
    return { accountId, name, createdAt, workers, ...(suspended ? { suspended } : {}) }
  }
}
