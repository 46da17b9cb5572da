import { array, looseObject, number, optional, safeParse, string } from 'valibot'

// A DNS-over-HTTPS JSON answer (RFC 8427 style, as cloudflare-dns.com and dns.google give it):
// only the answers' type and data are read.
const answerSchema = looseObject({
  Status: number(),
  Answer: optional(array(looseObject({ type: number(), data: string() }))),
})

const TXT = 16

/**
 * The TXT values at `name`, as a DNS-over-HTTPS resolver (DNS_OVER_HTTPS_URL) answers: each
 * record's quoted strings joined, as DNS defines a TXT value. A resolver that fails or answers off
 * the format gives none: a claim then waits for the next check.
 */
export async function txtValues(resolverUrl: string, name: string, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const url = new URL(resolverUrl)
  url.searchParams.set('name', name)
  url.searchParams.set('type', 'TXT')
  try {
    const response = await fetchImpl(url.href, { headers: { Accept: 'application/dns-json' } })
    if (!response.ok) {
      await response.body?.cancel()
      return []
    }
    const parsed = safeParse(answerSchema, await response.json())
    if (!parsed.success || parsed.output.Status !== 0) return []
    return (parsed.output.Answer ?? []).filter((answer) => answer.type === TXT).map((answer) => joinQuoted(answer.data))
  } catch {
    return []
  }
}

/** `"abc" "def"` → `abcdef`; an unquoted value stays as it is. */
function joinQuoted(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.replace(/\\(.)/g, '$1'))
  return parts.length > 0 ? parts.join('') : data
}
