/** Deploy tokens: 256 random bits, shown to the owner once; only their SHA-256 is stored. */
export function newDeployToken(): string {
  return `dt_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`
}

export function randomId(bytes = 16): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return base64url(new Uint8Array(digest))
}

/** Compares a presented secret with the expected one without leaking where they differ. */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  // Hashing first gives equal-length inputs, which timingSafeEqual requires.
  const [a, b] = await Promise.all([digest(presented), digest(expected)])
  return crypto.subtle.timingSafeEqual(a, b)
}

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
