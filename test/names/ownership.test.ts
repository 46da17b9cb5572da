import { describe, expect, it } from 'vitest'
import { authorize, hashToken, newDeployToken, type Owner } from '../../src/names/ownership'

const token = newDeployToken()
const owner: Owner = { ownerId: 'o-1', tokenHash: await hashToken(token), claimedAt: '2026-11-30T00:00:00.000Z' }
const anyone = { admin: false }

describe('deploy tokens', () => {
  it('are 256 random bits in base64url with a dt_ prefix', () => {
    expect(token).toMatch(/^dt_[A-Za-z0-9_-]{43}$/)
    expect(newDeployToken()).not.toBe(token)
  })

  it('are stored as a hash that does not contain them', async () => {
    expect(owner.tokenHash).not.toContain(token.slice(3))
    expect(await hashToken(token)).toBe(owner.tokenHash)
  })
})

describe('authorize: who may change a name', () => {
  it('lets anyone claim a free name', async () => {
    expect(await authorize(undefined, anyone, false)).toBeNull()
    expect(await authorize(undefined, anyone, true)).toBeNull()
  })

  it('lets the owner in with the matching token', async () => {
    expect(await authorize(owner, { token, admin: false }, true)).toBeNull()
  })

  it('lets an admin act on any name without a token', async () => {
    expect(await authorize(owner, { admin: true }, true)).toBeNull()
  })

  it('asks for the token when the caller knew the name was taken', async () => {
    expect(await authorize(owner, anyone, true)).toBe('token_required')
    expect(await authorize(owner, { token: newDeployToken(), admin: false }, true)).toBe('token_invalid')
  })

  it('reports a lost race, not a bad token, to a caller who arrived while the name was free', async () => {
    expect(await authorize(owner, anyone, false)).toBe('name_taken')
    expect(await authorize(owner, { token: newDeployToken(), admin: false }, false)).toBe('name_taken')
  })

  it('does not accept the stored hash in place of the token', async () => {
    expect(await authorize(owner, { token: owner.tokenHash, admin: false }, true)).toBe('token_invalid')
  })
})
