import { describe, expect, it } from 'vitest'
import {
  isPlatformCookie,
  platformCookieName,
  SESSION_COOKIE,
  setsPlatformCookie,
  stripPlatformCookies,
  withoutPlatformCookies,
} from '../../src/core/cookies'

describe("the platform's cookie names", () => {
  it('are __Host-wfp_… over https and wfp_… over plain http', () => {
    expect(platformCookieName(SESSION_COOKIE, 'https://platform.example/')).toBe('__Host-wfp_session')
    expect(platformCookieName(SESSION_COOKIE, new URL('http://localhost:8787/'))).toBe('wfp_session')
  })

  it('are wfp_… with or without a browser prefix, in any case', () => {
    for (const name of [
      'wfp_session',
      '__Host-wfp_session',
      '__Secure-wfp_x',
      'WFP_Session',
      '__host-Wfp_a',
      ' wfp_',
    ]) {
      expect(isPlatformCookie(name), name).toBe(true)
    }
    for (const name of ['session', 'wfp', 'wfpsession', 'x_wfp_session', '__Host-session', '__Other-wfp_x', '']) {
      expect(isPlatformCookie(name), name).toBe(false)
    }
  })
})

describe('withoutPlatformCookies (the Cookie header a user Worker gets)', () => {
  it('keeps every other cookie, in order, with its value and separators', () => {
    expect(withoutPlatformCookies('a=1; wfp_session=s; b=x=y; __Host-wfp_session=t; c="q"')).toBe('a=1; b=x=y; c="q"')
    expect(withoutPlatformCookies('wfp_session=s; a=1')).toBe('a=1')
    expect(withoutPlatformCookies('a=1;wfp_session=s')).toBe('a=1')
    expect(withoutPlatformCookies('a=1;b=2')).toBe('a=1;b=2')
  })

  it('returns the very header when it names no platform cookie, even when a value mentions the prefix', () => {
    const header = 'a=1; b=wfp_session; wfp=2'
    expect(withoutPlatformCookies(header)).toBe(header)
  })

  it('leaves nothing when only platform cookies were sent', () => {
    expect(withoutPlatformCookies('wfp_session=s')).toBeUndefined()
    expect(withoutPlatformCookies(' __Host-wfp_session=s ;  WFP_other=1 ')).toBeUndefined()
  })

  it('catches a platform cookie behind a comma (two Cookie headers joined by Headers)', () => {
    const headers = new Headers()
    headers.append('Cookie', 'a=1')
    headers.append('Cookie', 'wfp_session=s')
    expect(headers.get('Cookie')).toBe('a=1, wfp_session=s')
    stripPlatformCookies(headers)
    expect(headers.has('Cookie')).toBe(false)
  })
})

describe('stripPlatformCookies', () => {
  it('does nothing without a Cookie header, and removes one left empty', () => {
    const none = new Headers({ 'X-Other': '1' })
    stripPlatformCookies(none)
    expect([...none]).toEqual([['x-other', '1']])
    const onlyPlatform = new Headers({ Cookie: 'wfp_session=s' })
    stripPlatformCookies(onlyPlatform)
    expect(onlyPlatform.has('Cookie')).toBe(false)
    const mixed = new Headers({ Cookie: 'wfp_session=s; own=1' })
    stripPlatformCookies(mixed)
    expect(mixed.get('Cookie')).toBe('own=1')
  })
})

describe('setsPlatformCookie (a Set-Cookie the platform refuses from a tenant)', () => {
  it("matches the platform's names only, by the cookie's name", () => {
    expect(setsPlatformCookie('wfp_session=x; Path=/')).toBe(true)
    expect(setsPlatformCookie('__Host-wfp_session=x; Secure; Path=/')).toBe(true)
    expect(setsPlatformCookie(' WFP_a=1')).toBe(true)
    expect(setsPlatformCookie('session=wfp_x; Path=/')).toBe(false)
    expect(setsPlatformCookie('own=1; Domain=wfp_x')).toBe(false)
    expect(setsPlatformCookie('wfp_session')).toBe(false)
  })
})
