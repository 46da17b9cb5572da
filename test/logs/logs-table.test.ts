import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { NameClaim } from '../../src/names/name-claim.do'
import { deployNew, uniqueName } from '../helpers'
import { call, waitForLines } from '../logs-helpers'

describe('the logs table of a name’s object', () => {
  it('gains the deployment column in objects made before it existed, keeping their lines', async () => {
    const name = uniqueName('old-table')
    const { token, workerId } = await deployNew(
      name,
      'export default { fetch() { console.log("after the upgrade"); return new Response("") } }',
    )
    // The table as objects created before lines recorded their deployment have it, with a line,
    // seen by an object that has not touched its table since it started (as after an eviction).
    await runInDurableObject(env.NAME_CLAIMS.getByName(name), (instance: NameClaim, state) => {
      state.storage.sql.exec('DROP TABLE IF EXISTS logs')
      state.storage.sql.exec(
        'CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, level TEXT, message TEXT)',
      )
      state.storage.sql.exec(
        "INSERT INTO logs (at, level, message) VALUES ('2026-11-01T00:00:00.000Z', 'log', 'from before')",
      )
      // A private flag, reset as a fresh instance of the object would have it.
      ;(instance as unknown as { schemaReady: boolean }).schemaReady = false
    })

    await call(name)
    const lines = await waitForLines(name, token, 2)
    expect(lines[0]).toEqual({ id: 1, at: '2026-11-01T00:00:00.000Z', level: 'log', message: 'from before' })
    expect(lines[1]).toMatchObject({ id: 2, level: 'log', message: 'after the upgrade', deployment: workerId })
    const columns = await runInDurableObject(env.NAME_CLAIMS.getByName(name), (_instance: NameClaim, state) =>
      state.storage.sql
        .exec<{ name: string }>('PRAGMA table_info(logs)')
        .toArray()
        .map((column) => column.name),
    )
    expect(columns).toEqual(['id', 'at', 'level', 'message', 'deployment'])
  })
})
