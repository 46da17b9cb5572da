import { blockOf } from '../core/budget-config'

/** What an account's object answers an isolate that leases requests of a day (budgets/account-allowances.ts). */
export interface AccountLease {
  /** Requests granted of the day (0: none left, or no limit). */
  granted: number
  /** The account's daily request budget in force: its own, else the platform's default (0: none). */
  limit: number
}

/**
 * An account's daily request budget and the day's leases, in its object's SQLite storage: the
 * admin's override (absent: the platform's default) and how many requests of the day were leased
 * to isolates in all. Reading the override where the leases are counted lets a lease answer carry
 * the limit, so dispatch needs no other read to learn it.
 */
export class AccountBudget {
  constructor(private readonly sql: SqlStorage) {}

  /** The admin's own budget, or null: the platform's default. */
  override(): number | null {
    const row = this.table().exec<{ value: number }>("SELECT value FROM budget WHERE key = 'requests'").toArray()[0]
    return row?.value ?? null
  }

  /** Sets the admin's own budget (0: no limit), or with null goes back to the platform's default. */
  setOverride(requestsPerDay: number | null): void {
    if (requestsPerDay === null) this.table().exec("DELETE FROM budget WHERE key = 'requests'")
    else this.table().exec("INSERT OR REPLACE INTO budget VALUES ('requests', ?)", requestsPerDay)
  }

  /**
   * Grants a block of `day`'s requests within the budget in force (the override, else
   * `defaultLimit`): what it grants is counted at once, so the isolates together are never granted
   * more than it. Without a budget nothing is written.
   */
  lease(day: number, defaultLimit: number): AccountLease {
    const limit = this.override() ?? defaultLimit
    if (limit <= 0) return { granted: 0, limit: 0 }
    const sql = this.table()
    sql.exec('DELETE FROM leases WHERE day < ?', day)
    const leased =
      sql.exec<{ leased: number }>('SELECT leased FROM leases WHERE day = ?', day).toArray()[0]?.leased ?? 0
    const granted = Math.max(0, Math.min(blockOf(limit), limit - leased))
    if (granted > 0) sql.exec('INSERT OR REPLACE INTO leases VALUES (?, ?)', day, leased + granted)
    return { granted, limit }
  }

  /** How many requests of `day` were leased so far (what its workers served, but for unserved blocks). */
  leased(day: number): number {
    return (
      this.table().exec<{ leased: number }>('SELECT leased FROM leases WHERE day = ?', day).toArray()[0]?.leased ?? 0
    )
  }

  // Created on use: an account without a budget never writes here.
  private table(): SqlStorage {
    this.sql.exec('CREATE TABLE IF NOT EXISTS budget (key TEXT PRIMARY KEY, value INTEGER)')
    this.sql.exec('CREATE TABLE IF NOT EXISTS leases (day INTEGER PRIMARY KEY, leased INTEGER)')
    return this.sql
  }
}
