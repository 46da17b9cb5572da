import type { Config } from '../core/config'
import { CredentialError, PlatformError } from '../core/errors'
import { secretsEqual } from '../lib/crypto'
import { encodeText, toBase64Url } from '../lib/encoding'

/** How long an admin session lasts after signing in to the admin page (then the token is asked again). */
export const ADMIN_SESSION_TTL_MS = 60 * 60 * 1000

/** The admin session's cookie, before the platform's prefixes (core/cookies.ts platformCookieName). */
export const ADMIN_COOKIE = 'admin'

// Stateless: the cookie holds `<expiry ms>.<HMAC-SHA-256 of it>`, keyed by a key derived from
// ADMIN_TOKEN. Nothing is stored, so rotating ADMIN_TOKEN ends every admin session at once, and a
// session cannot outlive its expiry, which is inside what is signed. Signing out clears the cookie;
// a copy of its value would stay valid until it expires (at most ADMIN_SESSION_TTL_MS).
const KEY_LABEL = 'wfp admin session v1\0'
const VALUE = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/

/** The operator's sessions on the admin page: sign in once with ADMIN_TOKEN, act for an hour. */
export class AdminSessions {
  // The key, per ADMIN_TOKEN: derived once per isolate (the token cannot change under a running isolate).
  private key: { token: string; key: CryptoKey } | undefined

  constructor(
    private readonly parts: {
      config: Pick<Config, 'adminToken'>
      now: () => number
    },
  ) {}

  /**
   * The cookie value of a new session, for the admin token. A wrong token is a refused credential
   * (403, counted per client like every other); none configured refuses every one the same way.
   */
  async signIn(token: string | undefined): Promise<{ value: string; expiresAt: number }> {
    if (!token) throw new PlatformError('unauthorized', 'Type the admin token (ADMIN_TOKEN) to sign in.')
    const { adminToken } = this.parts.config
    if (!adminToken || !(await secretsEqual(token, adminToken))) {
      throw new CredentialError('forbidden', 'That is not the admin token: nothing was signed in.')
    }
    const expiresAt = this.parts.now() + ADMIN_SESSION_TTL_MS
    return { value: `${expiresAt}.${toBase64Url(await this.sign(String(expiresAt), adminToken))}`, expiresAt }
  }

  /** Whether a cookie value is a live admin session: signed with the current ADMIN_TOKEN's key, not expired. */
  async check(value: string | undefined): Promise<boolean> {
    const { adminToken } = this.parts.config
    const match = value ? VALUE.exec(value) : null
    if (!adminToken || !match) return false
    const [, expiry = '', signature = ''] = match
    if (Number(expiry) <= this.parts.now()) return false
    return secretsEqual(signature, toBase64Url(await this.sign(expiry, adminToken)))
  }

  private async sign(data: string, adminToken: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign('HMAC', await this.keyFor(adminToken), encodeText(data)))
  }

  private async keyFor(adminToken: string): Promise<CryptoKey> {
    if (this.key?.token === adminToken) return this.key.key
    // A key of its own, not the token itself: the token is also a Bearer credential elsewhere.
    const raw = await crypto.subtle.digest('SHA-256', encodeText(`${KEY_LABEL}${adminToken}`))
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    this.key = { token: adminToken, key }
    return key
  }
}
