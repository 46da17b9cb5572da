import { encodeText, toBase64Url, toHex } from './encoding'

/** SHA-256 of text (as UTF-8) or bytes. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? encodeText(data) : data
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await sha256(data))
}

export function randomBytes(count: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(count))
}

/** `bytes` random bytes as base64url: an unguessable ID or token. */
export function randomToken(bytes = 16): string {
  return toBase64Url(randomBytes(bytes))
}

/** Compares a presented secret with the expected one without leaking where they differ. */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  // Hashing first gives equal-length inputs, which timingSafeEqual requires.
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)])
  return crypto.subtle.timingSafeEqual(a, b)
}
