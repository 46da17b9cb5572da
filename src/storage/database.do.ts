import { DurableObject } from 'cloudflare:workers'
import { looseObject, number, optional, type GenericSchema } from 'valibot'
import type { StorageQuotas } from '../core/config'
import { GenerationGate, RETIRED_OWNER } from '../core/generation'
import { parseStored } from '../core/schema'
import { sweepKv } from './kv-sweep'
import type { D1Migration } from '../deploy/build'
import { applyMigrations, type MigrationsApplied } from './migrations'
import { kvPrefix, type StorageRef } from './refs'
import { chunkOf, type Amounts, type StoreKey } from './grants'
import { GrantShort, StoreGrants } from './store-grants'
import { countOperation, quotaError, quotasFor } from './quotas'
import { asRefusal, attempt, refusal, type Refusable } from './refusal'
import { dumpStream, OWN_TABLES } from './sql-dump'
import { SqlCallBudget } from './sql-budget'
import { checkStatements, runStatements, statementBytes, type SqlResult, type SqlStatement } from './sql-statements'
import { usageCounter } from '../metrics/usage-counts'

export type { SqlMeta, SqlResult, SqlResultValue, SqlStatement, SqlValue } from './sql-statements'

/** What a worker keeps, for its page and the quotas. */
export interface StorageUsage {
  kv: { keys: number; bytes: number }
  sql: { bytes: number; tables: number }
}

/** One KV key as the ledger counts it. */
interface LedgerEntry {
  bytes: number
  /** Seconds since the epoch, as KV keeps it. */
  expiration?: number
}

/** The ledger's totals. */
interface KvUsage {
  keys: number
  bytes: number
}

// As the ledger has always written them: read back checked, not cast.
const ledgerEntrySchema: GenericSchema<LedgerEntry> = looseObject({ bytes: number(), expiration: optional(number()) })
const usageSchema: GenericSchema<KvUsage> = looseObject({ keys: number(), bytes: number() })

const USAGE_KEY = 'usage'
/** Longer than a KV write takes and than KV's list takes to show a new key (about 60 s). */
export const KV_SETTLE_MS = 90_000
const ledgerKey = (key: string) => `kv:${key}`

/**
 * One object per worker and role (SQLite-backed). The `sql:` object runs the worker's env.DB: its
 * tables are the worker's, reached only through `query` and `exec`; an object's own database can
 * name no other (SQLite in a Durable Object refuses ATTACH and the platform's `_cf_` tables). The
 * `kv:` object keeps the ledger of the worker's env.KV keys (their sizes and expirations), which
 * KV cannot count itself, so quotas and the worker page have exact totals. Both are emptied by
 * `purge` when the worker is deleted. On dynamic-workers the `sql:` object's stub is the tenant's
 * env.DB itself (one RPC per call, as with a binding of its own); a namespaced script cannot bind
 * this class and reaches it through the TenantSQL entrypoint. So whatever the tenant's code sends
 * is checked here, and the quotas are this Worker's configuration, never an argument.
 */
export class TenantDatabase extends DurableObject<Env> {
  /** This store's share of the worker's quotas, shared by all its stores (store-grants.ts). */
  private readonly grants = new StoreGrants({
    state: this.ctx,
    databases: this.env.TENANT_DATABASES,
    ref: () => this.worker(),
    role: () => (this.ctx.id.name?.startsWith('kv:') ? 'kv' : 'sql'),
    usage: async () =>
      this.ctx.id.name?.startsWith('kv:')
        ? await this.kvUsage().then(({ keys, bytes }) => ({ kvKeys: keys, kvBytes: bytes }))
        : { sqlBytes: this.ctx.storage.sql.databaseSize },
  })
  /** Whether the owner this object stores for still holds the name: a deleted one's late writes are refused. */
  private readonly generation = new GenerationGate((ownerId) =>
    this.env.NAME_CLAIMS.getByName(this.worker().name).holds(ownerId),
  )

  /**
   * Runs statements in one transaction (a batch is atomic, as D1's); refused if the database outgrows
   * its quota. Throws its refusals: the raw binding's API (service-worker scripts, bundles deployed
   * before tryQuery); the D1 facade calls tryQuery.
   */
  async query(statements: SqlStatement[]): Promise<SqlResult[]> {
    const quotas = await this.admitSql()
    const checked = checkStatements(statements)
    let budget = new SqlCallBudget(quotas)
    const results = await this.grants.within(quotas, (final) =>
      this.tenantSql(() => {
        budget = new SqlCallBudget(quotas)
        const results = runStatements(this.ctx.storage.sql, checked, budget)
        const size = this.checkSize(quotas, final)
        for (const result of results) result.meta.size_after = size
        return results
      }),
    )
    this.meter(checked.length, statementBytes(checked) + budget.bytesReturned)
    return results
  }

  /** `query`, its refusals answered as values (storage/refusal.ts). */
  tryQuery(statements: SqlStatement[]): Promise<Refusable<SqlResult[]>> {
    return attempt(() => this.query(statements))
  }

  /** Runs a script of statements (D1's exec): no bindings, no rows back, in one transaction. */
  async exec(script: string): Promise<{ count: number; duration: number }> {
    const quotas = await this.admitSql()
    if (typeof script !== 'string' || script.trim() === '') throw refusal('D1_EXEC_ERROR: exec() needs SQL text.')
    const started = performance.now()
    await this.grants.within(quotas, (final) =>
      this.tenantSql(() => {
        // SQLite runs the script's statements but the last as it parses them; the last is read here.
        new SqlCallBudget(quotas).drain(this.ctx.storage.sql.exec(script))
        this.checkSize(quotas, final)
      }),
    )
    const count = script.split(';').filter((part) => part.trim() !== '').length
    this.meter(count, statementBytes([{ sql: script, params: [] }]))
    return { count, duration: performance.now() - started }
  }

  /**
   * Applies a deployment's D1 migrations (migrations.ts). The platform calls it at deploy, under the
   * name's lease and before the commit: so without the generation check, which would find a first
   * deploy's owner not holding the name yet (and remember that).
   */
  applyMigrations(migrations: D1Migration[]): MigrationsApplied {
    this.assertRole('sql')
    return applyMigrations(this.ctx.storage, migrations)
  }

  /** `exec`, its refusals answered as values. */
  tryExec(script: string): Promise<Refusable<{ count: number; duration: number }>> {
    return attempt(() => this.exec(script))
  }

  /**
   * Counts a KV write before it is made: refused when the worker would keep more keys or bytes
   * than its quota (answered as a value, which TenantKvStore throws). Expired keys are forgotten
   * first when a quota would refuse.
   */
  async reserveKv(
    key: string,
    bytes: number,
    expiration: number | undefined,
    quotas: StorageQuotas,
    /** The caller's clock (ms), which decides what has expired. */
    now = Date.now(),
  ): Promise<Refusable<void>> {
    this.assertRole('kv')
    return attempt(() => this.reserve(key, bytes, expiration, quotas, now))
  }

  /** Forgets a KV key the worker deleted (refused, as a value, for a deleted owner). */
  async releaseKv(key: string): Promise<Refusable<void>> {
    this.assertRole('kv')
    return attempt(() => this.release(key))
  }

  private async reserve(
    key: string,
    bytes: number,
    expiration: number | undefined,
    quotas: StorageQuotas,
    now: number,
  ): Promise<void> {
    await this.admitWrite('KV PUT failed')
    const storage = this.ctx.storage
    let usage = await this.kvUsage()
    let previous = await this.ledgerEntry(key)
    const next = () => ({
      keys: usage.keys + (previous ? 0 : 1),
      bytes: usage.bytes - (previous?.bytes ?? 0) + bytes,
    })
    if (next().keys > quotas.kvMaxKeys || next().bytes > quotas.kvMaxBytes) usage = await this.forgetExpired(key, now)
    let after = next()
    if (after.keys > quotas.kvMaxKeys) {
      throw quotaError('TENANT_KV_MAX_KEYS', `this worker may keep at most ${quotas.kvMaxKeys} keys in env.KV.`)
    }
    if (after.bytes > quotas.kvMaxBytes) {
      throw quotaError('TENANT_KV_MAX_BYTES', `this worker may keep at most ${quotas.kvMaxBytes} bytes in env.KV.`)
    }
    // The quotas are the worker's, across its KV stores (grants.ts): past this store's grant, ask the
    // book, then count again (other writes, or a recall of the grant, may have come meanwhile).
    for (let asked = 0; !this.grants.covers({ kvKeys: after.keys, kvBytes: after.bytes }); asked++) {
      if (asked === 3) throw quotaError('TENANT_KV_MAX_KEYS', 'this worker’s KV stores are changing too fast to count.')
      await this.grants.ask({ kvKeys: after.keys, kvBytes: after.bytes }, quotas)
      usage = await this.kvUsage()
      previous = await this.ledgerEntry(key)
      after = next()
    }
    await storage.put({ [ledgerKey(key)]: { bytes, ...(expiration ? { expiration } : {}) }, [USAGE_KEY]: after })
  }

  private async release(key: string): Promise<void> {
    await this.admitWrite('KV DELETE failed')
    const previous = await this.ledgerEntry(key)
    if (!previous) return
    const usage = await this.kvUsage()
    await this.ctx.storage.delete(ledgerKey(key))
    const after = { keys: usage.keys - 1, bytes: usage.bytes - previous.bytes }
    await this.ctx.storage.put(USAGE_KEY, after)
    // What this store no longer uses goes back to the worker's other stores.
    const quotas = quotasFor(this.env)
    if (this.grants.hoards({ kvKeys: after.keys, kvBytes: after.bytes }, quotas)) {
      await attempt(() => this.grants.ask({ kvKeys: after.keys, kvBytes: after.bytes }, quotas))
    }
  }

  /** KV totals from the ledger (this is the `kv:` object). */
  async kvUsage(): Promise<KvUsage> {
    this.assertRole('kv')
    const stored = await this.ctx.storage.get(USAGE_KEY)
    return parseStored(optional(usageSchema, { keys: 0, bytes: 0 }), stored, 'The KV ledger’s totals')
  }

  /** The database's size and table count (this is the `sql:` object). */
  sqlUsage(): { bytes: number; tables: number } {
    this.assertRole('sql')
    const { tables } = this.ctx.storage.sql
      .exec<{ tables: number }>(`SELECT count(*) AS tables FROM sqlite_master WHERE type = 'table' AND ${OWN_TABLES}`)
      .one()
    return { bytes: this.ctx.storage.sql.databaseSize, tables }
  }

  /** The worker's tables as an SQL script that recreates them (schema, then rows), streamed, for its owner's export. */
  dump(): ReadableStream<Uint8Array> {
    this.assertRole('sql')
    return dumpStream(this.ctx.storage.sql)
  }

  /**
   * Deletes everything this object holds (the worker was deleted), and takes no more writes: work
   * still running for the deleted owner is refused from here on instead of writing afresh.
   */
  async purge(): Promise<void> {
    this.generation.retire(this.worker().ownerId)
    await this.ctx.storage.deleteAll()
    // A KV write the ledger admitted just before may land after the purge swept the keys, and KV's
    // list may not show a fresh key for up to a minute: the ledger sweeps once more when both are over.
    if (this.ctx.id.name?.startsWith('kv:')) await this.ctx.storage.setAlarm(Date.now() + KV_SETTLE_MS)
  }

  /** The ledger's second sweep of a purged worker's keys; then it keeps nothing, alarm included. */
  override async alarm(): Promise<void> {
    await sweepKv(this.env.TENANT_KV, kvPrefix(this.worker()))
    await this.ctx.storage.deleteAll()
  }

  /** Drops ledger entries of keys KV has expired, except `keep` (being written now); returns the new totals. */
  private async forgetExpired(keep: string, nowMs: number): Promise<KvUsage> {
    const now = nowMs / 1000
    const usage = await this.kvUsage()
    const expired: string[] = []
    for (const [key, stored] of await this.ctx.storage.list({ prefix: 'kv:' })) {
      if (key === ledgerKey(keep)) continue
      const entry = parseStored(ledgerEntrySchema, stored, `The KV ledger’s entry of "${key.slice('kv:'.length)}"`)
      if (!entry.expiration || entry.expiration > now) continue
      expired.push(key)
      usage.keys -= 1
      usage.bytes -= entry.bytes
    }
    for (let i = 0; i < expired.length; i += 128) await this.ctx.storage.delete(expired.slice(i, i + 128))
    await this.ctx.storage.put(USAGE_KEY, usage)
    return usage
  }

  /** The ledger's entry of one key, absent when the worker does not keep it. */
  private async ledgerEntry(key: string): Promise<LedgerEntry | undefined> {
    const stored = await this.ctx.storage.get(ledgerKey(key))
    return parseStored(optional(ledgerEntrySchema), stored, `The KV ledger’s entry of "${key}"`)
  }

  /**
   * Which object this is, from the name store.ts gives it (`sql:<name>/<owner>`, `kv:<name>/<owner>`),
   * refused unless it is `role`: on dynamic-workers the tenant's code holds its `sql:` object's stub
   * (env.DB) and can call any method of it, so the ledger's must not work there (writing ledger
   * entries would grow the database past its quota). Returns the worker's name.
   */
  private assertRole(role: 'sql' | 'kv'): string {
    const name = this.ctx.id.name
    if (!name?.startsWith(`${role}:`)) {
      throw new Error(
        role === 'sql' ? "This object is not a worker's database." : "This object is not a worker's KV ledger.",
      )
    }
    return name.slice(role.length + 1, name.indexOf('/'))
  }

  /** A tenant's SQL call: counted against the operations quota; the operator's quotas, from this Worker's config. */
  private async admitSql(): Promise<StorageQuotas> {
    const worker = this.assertRole('sql')
    const quotas = quotasFor(this.env)
    countOperation(worker, quotas)
    await this.admitWrite('D1_ERROR')
    // Ahead of the call, so most writes never ask: room for half a chunk of growth, and no hoarding.
    const size = this.ctx.storage.sql.databaseSize
    const room = { sqlBytes: size + Math.floor(chunkOf('sqlBytes', quotas) / 2) }
    if (!this.grants.covers(room) || this.grants.hoards({ sqlBytes: size }, quotas)) {
      // Refused (the other databases hold the rest): reads and deletes still run; growth is refused by checkSize.
      await attempt(() => this.grants.ask({ sqlBytes: size }, quotas))
    }
    return quotas
  }

  /** Counts statements that ran and their bytes into the worker's usage, in memory (metrics/usage-counts.ts). */
  private meter(sqlOps: number, sqlBytes: number): void {
    const { name, ownerId } = this.worker()
    usageCounter.count(this.env.WORKER_METRICS, { name, ownerId }, { sqlOps, sqlBytes }, this.ctx)
  }

  /** Refuses the call once this object's owner no longer holds the name (core/generation.ts). */
  private async admitWrite(failure: string): Promise<void> {
    if (!(await this.generation.admits(this.worker().ownerId))) throw refusal(`${failure}: ${RETIRED_OWNER}`)
  }

  /**
   * Runs the tenant's SQL in one transaction: what SQLite answers it (no such table, SQLITE_AUTH…)
   * is the tenant's, a refusal like the quotas', not a fault of the platform.
   */
  private tenantSql<T>(run: () => T): T {
    try {
      return this.ctx.storage.transactionSync(run)
    } catch (error) {
      throw asRefusal(error)
    }
  }

  /** The worker and store this object keeps, from its name (`<role>:<name>/<owner>[:<store>]`, see store.ts). */
  private worker(): StorageRef {
    const id = this.ctx.id.name ?? ''
    const ref = id.slice(id.indexOf(':') + 1)
    const slash = ref.indexOf('/')
    const [ownerId = '', store] = ref.slice(slash + 1).split(':', 2)
    return { name: ref.slice(0, slash), ownerId, ...(store === undefined ? {} : { store }) }
  }

  /**
   * The database's size after a call, refused past the quota; past this database's grant (the
   * quota is shared by the worker's databases, grants.ts), the call is rolled back and `grants.within`
   * asks for more and runs it again (`final`: it already did).
   */
  private checkSize({ sqlMaxBytes }: Pick<StorageQuotas, 'sqlMaxBytes'>, final: boolean): number {
    const size = this.ctx.storage.sql.databaseSize
    if (size > sqlMaxBytes) {
      throw quotaError('TENANT_SQL_MAX_BYTES', `this worker's database may hold at most ${sqlMaxBytes} bytes.`)
    }
    if (!this.grants.covers({ sqlBytes: size })) {
      if (!final) throw new GrantShort(size)
      throw quotaError(
        'TENANT_SQL_MAX_BYTES',
        `this worker may keep at most ${sqlMaxBytes} bytes in its databases, together.`,
      )
    }
    return size
  }

  /**
   * The worker's book of grants, kept in its env.KV ledger's object (grants.ts): what a store of
   * the worker may keep, answered as a value. Only another store's object of the platform calls it.
   */
  grantStorage(store: StoreKey, needed: Amounts, wanted: Amounts): Promise<Refusable<Amounts>> {
    this.assertRole('kv')
    if (this.worker().store !== undefined) throw new Error("This object is not a worker's book of grants.")
    return attempt(() => this.grants.decide(store, needed, wanted, quotasFor(this.env)))
  }

  /** The book takes back what this store does not use (store-grants.ts). */
  recallGrant(): Promise<Amounts> {
    return this.grants.recall()
  }
}
