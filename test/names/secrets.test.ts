import { describe, expect, it } from 'vitest'
import { seal, unseal } from '../../src/names/secrets'

const KEY = 'k'.repeat(32)
const values = { API_KEY: 'sk_live_123', EMPTY: '', UNICODE: 'pässwörd ✓' }

describe('secret sealing', () => {
  it('round-trips values with SECRETS_KEY, and the sealed form does not contain them', async () => {
    const sealed = await seal(values, KEY)
    expect(sealed.encrypted).toBe(true)
    expect(JSON.stringify(sealed)).not.toContain('sk_live_123')
    expect(await unseal(sealed, KEY)).toEqual(values)
  })

  it('uses a fresh IV each time', async () => {
    const [a, b] = await Promise.all([seal(values, KEY), seal(values, KEY)])
    expect(a.iv).not.toBe(b.iv)
    expect(a.data).not.toBe(b.data)
  })

  it('cannot be opened with another key', async () => {
    await expect(unseal(await seal(values, KEY), 'x'.repeat(32))).rejects.toThrow()
  })

  it('cannot be opened once SECRETS_KEY is gone, and says why', async () => {
    await expect(unseal(await seal(values, KEY), undefined)).rejects.toThrow('SECRETS_KEY')
  })

  it('rests as plain JSON without a key (local development), and reads back', async () => {
    const sealed = await seal(values, undefined)
    expect(sealed).toEqual({ encrypted: false, data: JSON.stringify(values) })
    expect(await unseal(sealed, undefined)).toEqual(values)
  })

  it('reads nothing as no secrets', async () => {
    expect(await unseal(null, KEY)).toEqual({})
  })
})
