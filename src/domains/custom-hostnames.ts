import { array, looseObject, nullish, string, type InferOutput } from 'valibot'
import { apiError, readResult } from '../backends/cloudflare-envelope'
import { PlatformError } from '../core/errors'
import type { DnsRecord, DomainState, HttpToken } from './domain-state'

/** The SaaS zone custom hostnames are created on, and the token that may (SSL and Certificates Write). */
export interface SaasZone {
  baseUrl: string
  zoneId: string
  apiToken: string
}

// A custom hostname as Cloudflare for SaaS answers it (docs: cloudflare-for-saas, and the Custom
// Hostnames API), only the fields the platform reads; any may be missing or null while pending.
const customHostnameSchema = looseObject({
  id: string(),
  hostname: nullish(string()),
  status: nullish(string()),
  ssl: nullish(
    looseObject({
      status: nullish(string()),
      validation_records: nullish(
        array(
          looseObject({
            txt_name: nullish(string()),
            txt_value: nullish(string()),
            http_url: nullish(string()),
            http_body: nullish(string()),
          }),
        ),
      ),
      validation_errors: nullish(array(looseObject({ message: nullish(string()) }))),
    }),
  ),
  ownership_verification: nullish(
    looseObject({ type: nullish(string()), name: nullish(string()), value: nullish(string()) }),
  ),
  verification_errors: nullish(array(string())),
})

type CustomHostname = InferOutput<typeof customHostnameSchema>

/** What a read of a custom hostname tells about its claim. */
export type HostnameReport = Pick<
  DomainState,
  'status' | 'sslStatus' | 'certificateRecords' | 'httpTokens' | 'messages' | 'ownership'
> & { cloudflareId: string }

/** The Custom Hostnames API of one SaaS zone: create, read, delete. */
export class CustomHostnamesApi {
  constructor(
    private readonly zone: SaasZone,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /**
   * POST …/custom_hostnames: a new custom hostname with a DV certificate validated by TXT (a DNS
   * record proves control without traffic reaching the platform first). Its validation records may
   * not be there yet: the sweep reads them again.
   */
  async create(hostname: string): Promise<HostnameReport> {
    const body = JSON.stringify({ hostname, ssl: { method: 'txt', type: 'dv' } })
    return reportOf(await this.call('POST', this.url(), body, 'creating the custom hostname'))
  }

  /** GET …/custom_hostnames/{id}; null when Cloudflare no longer has it. */
  async read(id: string): Promise<HostnameReport | null> {
    const answer = await this.call('GET', this.url(id), undefined, 'reading the custom hostname', true)
    return answer && reportOf(answer)
  }

  /** DELETE …/custom_hostnames/{id}; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    await this.call('DELETE', this.url(id), undefined, 'deleting the custom hostname', true)
  }

  private url(id?: string): string {
    const { baseUrl, zoneId } = this.zone
    const path = ['zones', zoneId, 'custom_hostnames', ...(id === undefined ? [] : [id])]
    return `${baseUrl}/${path.map(encodeURIComponent).join('/')}`
  }

  private async call(method: string, url: string, body: string | undefined, what: string): Promise<CustomHostname>
  private async call(
    method: string,
    url: string,
    body: string | undefined,
    what: string,
    allowNotFound: true,
  ): Promise<CustomHostname | null>
  private async call(
    method: string,
    url: string,
    body: string | undefined,
    what: string,
    allowNotFound = false,
  ): Promise<CustomHostname | null> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.zone.apiToken}` }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await this.fetchImpl(url, { method, body, headers })
    } catch {
      throw new PlatformError('cloudflare_api_error', 'Could not reach the Cloudflare API. Try again in a moment.')
    }
    if (allowNotFound && response.status === 404) {
      await response.body?.cancel()
      return null
    }
    if (!response.ok) throw await apiError(response)
    if (method === 'DELETE') {
      await response.body?.cancel()
      return null
    }
    return readResult(response, customHostnameSchema, what)
  }
}

function reportOf(answer: CustomHostname): HostnameReport {
  const ssl = answer.ssl ?? {}
  const records = ssl.validation_records ?? []
  const certificateRecords: DnsRecord[] = records.flatMap((record) =>
    record.txt_name && record.txt_value
      ? [{ type: 'TXT' as const, name: record.txt_name, value: record.txt_value }]
      : [],
  )
  const httpTokens: HttpToken[] = records.flatMap((record) =>
    record.http_url && record.http_body ? [{ url: record.http_url, body: record.http_body }] : [],
  )
  const owner = answer.ownership_verification
  const messages = [
    ...(answer.verification_errors ?? []),
    ...(ssl.validation_errors ?? []).flatMap((error) => (error.message ? [error.message] : [])),
  ]
  return {
    cloudflareId: answer.id,
    status: answer.status ?? 'pending',
    sslStatus: ssl.status ?? 'initializing',
    certificateRecords,
    httpTokens,
    messages,
    ...(owner?.name && owner.value
      ? { ownership: { type: 'TXT' as const, name: owner.name, value: owner.value } }
      : {}),
  }
}
