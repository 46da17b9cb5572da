import type { D1Migration } from '../deploy/build'
import { errorMessage } from '../lib/errors'

/** What applying a deployment's migrations to one database answered. */
export type MigrationsApplied = { ok: true; applied: string[] } | { ok: false; file: string; message: string }

/**
 * Applies the migrations a database has not had yet, in order, as `wrangler d1 migrations apply`
 * does: each recorded by file name in its `d1_migrations` table (wrangler's own table, so a project
 * moved here later sees the same record), each exactly once. All of them in one transaction: when
 * one fails, none of this run's are applied and the database is as it was.
 */
export function applyMigrations(storage: DurableObjectStorage, migrations: D1Migration[]): MigrationsApplied {
  const { sql } = storage
  let current = 'd1_migrations'
  try {
    const applied = storage.transactionSync(() => {
      sql.exec(
        'CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)',
      )
      const done = new Set(
        sql
          .exec<{ name: string }>('SELECT name FROM d1_migrations')
          .toArray()
          .map((row) => row.name),
      )
      const names: string[] = []
      for (const migration of migrations) {
        if (done.has(migration.name)) continue
        current = migration.name
        // A file of comments only is a migration too (wrangler records it): nothing to run.
        if (migration.sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '') {
          // SQLite runs every statement but the last as it parses the script; reading the cursor runs the last.
          for (const _ of sql.exec(migration.sql)) void _
        }
        sql.exec('INSERT INTO d1_migrations (name) VALUES (?)', migration.name)
        names.push(migration.name)
      }
      return names
    })
    return { ok: true, applied }
  } catch (error) {
    return { ok: false, file: current, message: errorMessage(error) }
  }
}
