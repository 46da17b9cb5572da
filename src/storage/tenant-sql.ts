import { WorkerEntrypoint } from 'cloudflare:workers'
import type { SqlResult, SqlStatement } from './database.do'
import { assertStorageRef } from './refs'
import type { Refusable } from './refusal'
import { sqlObject } from './store'

/**
 * A namespaced script's env.DB (dispatch-namespace): a script in a dispatch namespace cannot bind
 * the platform's TenantDatabase class, so its binding is this entrypoint, with the worker's name
 * and owner as props, forwarding to the worker's own database object (which checks the statements
 * and applies the quotas, as it does for a loaded Worker holding its stub). The D1 API tenants use
 * is the small module the platform adds to the bundle (storage/shim.ts); it calls `tryQuery` and
 * `tryExec`, whose refusals come back as values (storage/refusal.ts); `query` and `exec` throw them,
 * as the raw binding always has.
 */
export class TenantSQL extends WorkerEntrypoint<Env, unknown> {
  /** Runs statements in one transaction: one for a prepared statement, several for a batch. */
  query(statements: SqlStatement[]): Promise<SqlResult[]> {
    return this.database().query(statements)
  }

  /** Runs an SQL script without bindings (D1's exec). */
  exec(script: string): Promise<{ count: number; duration: number }> {
    return this.database().exec(script)
  }

  tryQuery(statements: SqlStatement[]): Promise<Refusable<SqlResult[]>> {
    return this.database().tryQuery(statements)
  }

  tryExec(script: string): Promise<Refusable<{ count: number; duration: number }>> {
    return this.database().tryExec(script)
  }

  private database() {
    return sqlObject(this.env, assertStorageRef(this.ctx.props))
  }
}
