import type { LogLine, StoredLogLine } from '../core/model'
import { LOG_LINES_KEPT } from './logs'

/**
 * A worker's recent log lines in its name's object (SQLite): the newest LOG_LINES_KEPT, each with
 * the deployment that wrote it. The table is made on first use after the object's storage was
 * (re)made, since deleteAll() drops it with everything else.
 */
export class LogStore {
  private schemaReady = false

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Appends lines, keeping the newest LOG_LINES_KEPT. */
  append(lines: LogLine[]): void {
    const sql = this.table()
    for (const line of lines.slice(-LOG_LINES_KEPT)) {
      sql.exec(
        'INSERT INTO logs (at, level, message, deployment) VALUES (?, ?, ?, ?)',
        line.at,
        line.level,
        line.message,
        line.deployment ?? null,
      )
    }
    sql.exec('DELETE FROM logs WHERE id <= (SELECT MAX(id) FROM logs) - ?', LOG_LINES_KEPT)
  }

  /** The lines after line `after` (0: all kept), oldest first. */
  after(after: number): StoredLogLine[] {
    return this.table()
      .exec<{ id: number; at: string; level: string; message: string; deployment: string | null }>(
        'SELECT id, at, level, message, deployment FROM logs WHERE id > ? ORDER BY id',
        after,
      )
      .toArray()
      .map(({ deployment, ...line }): StoredLogLine => (deployment ? { ...line, deployment } : line))
  }

  /** Forgets every line (the worker was deleted). */
  clear(): void {
    if (this.schemaReady) this.table().exec('DELETE FROM logs')
  }

  /** The object's storage was given back (deleteAll): the table is made again on next use. */
  dropped(): void {
    this.schemaReady = false
  }

  private table(): SqlStorage {
    const sql = this.storage.sql
    if (!this.schemaReady) {
      sql.exec(
        'CREATE TABLE IF NOT EXISTS logs (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, level TEXT, message TEXT, deployment TEXT)',
      )
      // Objects that logged before lines recorded their deployment have the table without that column.
      const columns = sql.exec<{ name: string }>('PRAGMA table_info(logs)').toArray()
      if (!columns.some((column) => column.name === 'deployment')) {
        sql.exec('ALTER TABLE logs ADD COLUMN deployment TEXT')
      }
      this.schemaReady = true
    }
    return sql
  }
}
