/**
 * A fresh Worker ID for every deployment: a time prefix (sortable, readable in the Cloudflare
 * dashboard) and 80 random bits. IDs are never reused, so a Worker ID names one immutable bundle.
 */
export function newWorkerId(now = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(10))
  const hex = Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `w-${now.toString(36)}-${hex}`
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
