import { describe, expect, it } from 'vitest'
import type { WorkerList, WorkerRecord } from '../../src/core/model'
import { ADMIN_SESSION_TTL_MS, AdminSessions } from '../../src/operators/admin-sessions'
import { Directory, MAX_SEARCH_PAGES, SEARCH_RESULTS } from '../../src/operators/directory'

// The admin page's listing and session, apart from HTTP: a search reads a bounded stretch of the
// list per page and goes on from its cursor; a session is a signed expiry, nothing stored.

const PAGE = 50
const NAMES = Array.from({ length: 3_000 }, (_, i) => `w-${String(i).padStart(4, '0')}`)

/** A Directory over a list of NAMES (tagged "even" on every other one), counting the list's pages read. */
function directory() {
  const reads = { pages: 0 }
  const record = (name: string) =>
    ({
      name,
      updatedAt: '2026-12-01T00:00:00.000Z',
      workerId: `id-${name}`,
      deployments: [{ workerId: `id-${name}`, settings: { tags: Number(name.slice(2)) % 2 ? [] : ['even'] } }],
    }) as unknown as WorkerRecord
  const workers = {
    list: (cursor?: string): Promise<WorkerList> => {
      reads.pages++
      const start = Number(cursor ?? 0)
      const names = NAMES.slice(start, start + PAGE)
      const list = names.map((name) => ({
        name,
        workerId: `id-${name}`,
        updatedAt: '',
        ...(Number(name.slice(2)) % 2 ? {} : { tags: ['even'] }),
      }))
      return Promise.resolve(
        start + PAGE < NAMES.length ? { workers: list, cursor: String(start + PAGE) } : { workers: list },
      )
    },
    find: (name: string) => Promise.resolve(NAMES.includes(name) ? record(name) : null),
    remove: () => Promise.reject(new Error('not used here')),
  }
  const dir = new Directory({
    workers,
    accounts: {
      view: () => Promise.reject(new Error('not used here')),
      budgetOf: () => Promise.reject(new Error('not used here')),
    },
    index: { list: () => Promise.resolve({ accounts: [] }), accountOf: () => Promise.resolve(null) },
    metrics: undefined,
    suspensions: { assertAdmin: async () => {} },
    config: { budgets: { requestsPerDay: 0, cpuMsPerDay: 0, meterCpu: false, accountRequestsPerDay: 0 } },
    now: () => 0,
  })
  return { dir, reads }
}

describe('the admin directory', () => {
  it('lists one page of the list when nothing is searched', async () => {
    const { dir, reads } = directory()
    const page = await dir.workers({}, undefined, undefined)
    expect(page.workers.map((row) => row.name)).toEqual(NAMES.slice(0, PAGE))
    expect(page.cursor).toBe(String(PAGE))
    expect(reads.pages).toBe(1)
  })

  it('stops a search that finds nothing after MAX_SEARCH_PAGES pages, and goes on from there', async () => {
    const { dir, reads } = directory()
    const first = await dir.workers({ name: 'nothing-matches' }, undefined, undefined)
    expect(first.workers).toEqual([])
    expect(reads.pages).toBe(MAX_SEARCH_PAGES)
    expect(first.scanned).toBe(MAX_SEARCH_PAGES * PAGE)
    expect(first.cursor).toBe(String(MAX_SEARCH_PAGES * PAGE))
    const found = await dir.workers({ name: '1234' }, first.cursor, undefined)
    expect(found.workers.map((row) => row.name)).toEqual(['w-1234'])
    expect(found.cursor).toBe(String(2 * MAX_SEARCH_PAGES * PAGE))
  })

  it('stops reading once a page of results is found, by name part or by tag', async () => {
    const { dir, reads } = directory()
    const byTag = await dir.workers({ tag: 'even' }, undefined, undefined)
    expect(byTag.workers).toHaveLength(SEARCH_RESULTS)
    expect(byTag.workers.every((row) => row.tags.includes('even'))).toBe(true)
    expect(reads.pages).toBe(2)
    const byName = await dir.workers({ name: 'W-00' }, undefined, undefined)
    expect(byName.workers.map((row) => row.name)).toEqual(NAMES.slice(0, SEARCH_RESULTS))
  })

  it('finds a whole name typed at once, wherever the list would reach it', async () => {
    const { dir, reads } = directory()
    const found = await dir.workers({ name: 'w-2500' }, undefined, undefined)
    expect(found.workers[0]?.name).toBe('w-2500')
    expect(reads.pages).toBe(MAX_SEARCH_PAGES)
  })
})

describe('admin sessions', () => {
  const at = (now: number, adminToken: string | null = 'the-admin-token') =>
    new AdminSessions({ config: { adminToken: adminToken ?? undefined }, now: () => now })

  it('last ADMIN_SESSION_TTL_MS, signed with a key of the current ADMIN_TOKEN', async () => {
    const { value } = await at(1_000_000).signIn('the-admin-token')
    expect(await at(1_000_000).check(value)).toBe(true)
    expect(await at(1_000_000 + ADMIN_SESSION_TTL_MS - 1).check(value)).toBe(true)
    expect(await at(1_000_000 + ADMIN_SESSION_TTL_MS).check(value)).toBe(false)
    expect(await at(1_000_000, 'another-admin-token').check(value)).toBe(false)
    expect(await at(1_000_000, null).check(value)).toBe(false)
  })

  it('refuses a changed expiry, a wrong token and no token at all', async () => {
    const { value, expiresAt } = await at(0).signIn('the-admin-token')
    const signature = value.split('.')[1]
    expect(await at(0).check(`${expiresAt + 1}.${signature}`)).toBe(false)
    expect(await at(0).check(undefined)).toBe(false)
    await expect(at(0).signIn('wrong')).rejects.toMatchObject({ status: 403, name: 'PlatformError' })
    await expect(at(0).signIn(undefined)).rejects.toMatchObject({ status: 401 })
    await expect(at(0, null).signIn('anything')).rejects.toMatchObject({ status: 403 })
  })
})
