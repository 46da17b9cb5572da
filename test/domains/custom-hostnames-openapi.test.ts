import { describe, expect, it } from 'vitest'
import {
  customHostnameOperationOf,
  customHostnameRequestProblems,
  customHostnameResponseProblems,
} from './custom-hostnames-openapi'

// That the restatement of the Custom Hostnames operations (custom-hostnames-openapi.ts) accepts what
// Cloudflare sends and is sent, and refuses what the document rules out.

const ZONE = '023e105f4ecef8ad9ca31a8372d0c353'
const ID = '0d89c70d-ad9f-4843-b99f-6cc0252067e9'

/** A custom hostname just created for TXT validation, as GET …/custom_hostnames/{id} answers it. */
function pendingHostname() {
  return {
    id: ID,
    hostname: 'shop.example.com',
    ssl: {
      id: '343eee9f-fe7c-47f7-b5cc-3298c4f623e5',
      type: 'dv',
      method: 'txt',
      status: 'pending_validation',
      bundle_method: 'ubiquitous',
      certificate_authority: 'google',
      wildcard: false,
      settings: {},
      validation_records: [
        {
          status: 'pending',
          txt_name: '_acme-challenge.shop.example.com',
          txt_value: '810b7d5f01154524b961ba0cd578acc2',
        },
      ],
    },
    status: 'pending',
    ownership_verification: {
      type: 'txt',
      name: '_cf-custom-hostname.shop.example.com',
      value: '5cc07c04-ea62-4a5a-95f0-419334a875a4',
    },
    ownership_verification_http: {
      http_url: `http://shop.example.com/.well-known/cf-custom-hostname-challenge/${ID}`,
      http_body: '5cc07c04-ea62-4a5a-95f0-419334a875a4',
    },
    verification_errors: [],
    created_at: '2026-08-20T18:11:23.531995Z',
  }
}

function envelope(result: unknown) {
  return { success: true, errors: [], messages: [], result }
}

describe('which operation a request is', () => {
  it('places the four operations by method and path', () => {
    expect(customHostnameOperationOf('POST', `/zones/${ZONE}/custom_hostnames`)).toBe('create')
    expect(customHostnameOperationOf('GET', `/zones/${ZONE}/custom_hostnames?hostname=shop.example.com`)).toBe('list')
    expect(customHostnameOperationOf('GET', `/zones/${ZONE}/custom_hostnames/${ID}`)).toBe('details')
    expect(customHostnameOperationOf('DELETE', `/zones/${ZONE}/custom_hostnames/${ID}`)).toBe('delete')
  })

  it('places no other path or method', () => {
    expect(customHostnameOperationOf('PATCH', `/zones/${ZONE}/custom_hostnames/${ID}`)).toBeUndefined()
    expect(customHostnameOperationOf('GET', `/zones/${ZONE}/custom_hostnames/quota`)).toBeUndefined()
    expect(customHostnameOperationOf('DELETE', `/zones/${ZONE}/custom_hostnames/fallback_origin`)).toBeUndefined()
    expect(customHostnameOperationOf('GET', `/zones/${ZONE}/dns_records`)).toBeUndefined()
  })
})

describe('requests', () => {
  const create = `/zones/${ZONE}/custom_hostnames`

  it('takes a create body with a hostname and TXT validation', () => {
    const body = { hostname: 'shop.example.com', ssl: { method: 'txt', type: 'dv' } }
    expect(customHostnameRequestProblems('POST', create, body)).toEqual([])
  })

  it('takes a create body with the hostname alone (the document requires nothing else)', () => {
    expect(customHostnameRequestProblems('POST', create, { hostname: 'shop.example.com' })).toEqual([])
  })

  it('refuses a validation method outside the enum', () => {
    const body = { hostname: 'shop.example.com', ssl: { method: 'carrier-pigeon', type: 'dv' } }
    const problems = customHostnameRequestProblems('POST', create, body)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^\/ssl\/method: Instance does not match any of \["http","txt","email"\]/)
  })

  it('refuses a validation type other than dv, and custom metadata that is not strings', () => {
    const body = { hostname: 'shop.example.com', ssl: { type: 'ev' }, custom_metadata: { tier: 3 } }
    const problems = customHostnameRequestProblems('POST', create, body)
    expect(problems.some((p) => p.startsWith('/ssl/type: '))).toBe(true)
    expect(problems.some((p) => p.startsWith('/custom_metadata/tier: '))).toBe(true)
  })

  it('refuses a create body without its hostname, or none at all', () => {
    const problems = customHostnameRequestProblems('POST', create, { ssl: { method: 'txt', type: 'dv' } })
    expect(problems).toEqual([expect.stringMatching(/^\/: .*"hostname"/)])
    expect(customHostnameRequestProblems('POST', create, undefined)).toEqual([
      'requires an application/json request body; none was sent',
    ])
  })

  it('takes a list by hostname, and the paging and filters the document declares', () => {
    expect(customHostnameRequestProblems('GET', `${create}?hostname=shop.example.com`, undefined)).toEqual([])
    const query = 'hostname.contain=example.com&page=2&per_page=50&ssl=1&wildcard=false&ssl_status=active&direction=asc'
    expect(customHostnameRequestProblems('GET', `${create}?${query}`, undefined)).toEqual([])
  })

  it('refuses a list query the document does not declare, or a value out of range', () => {
    const problems = customHostnameRequestProblems('GET', `${create}?name=shop.example.com&per_page=2`, undefined)
    expect(problems).toEqual([
      'query name: the operation declares no such parameter',
      expect.stringMatching(/^query per_page=2: /),
    ])
    expect(customHostnameRequestProblems('GET', `${create}?hostname=${'a'.repeat(256)}`, undefined)).toHaveLength(1)
  })

  it('takes a delete and a details without a body or query, and refuses one with a body', () => {
    const one = `/zones/${ZONE}/custom_hostnames/${ID}`
    expect(customHostnameRequestProblems('DELETE', one, undefined)).toEqual([])
    expect(customHostnameRequestProblems('GET', one, undefined)).toEqual([])
    expect(customHostnameRequestProblems('DELETE', one, {})).toEqual(['sends a body the operation does not take'])
    expect(customHostnameRequestProblems('GET', `${one}?hostname=x`, undefined)).toHaveLength(1)
  })
})

describe('responses', () => {
  it('takes a realistic details answer for a hostname pending TXT validation', () => {
    expect(customHostnameResponseProblems('details', envelope(pendingHostname()))).toEqual([])
    expect(customHostnameResponseProblems('create', envelope(pendingHostname()))).toEqual([])
  })

  it('refuses a status outside the enum, and an SSL status outside its own', () => {
    const hostname = { ...pendingHostname(), status: 'verifying' }
    expect(customHostnameResponseProblems('details', envelope(hostname))).toEqual([
      expect.stringMatching(/^\/result\/status: Instance does not match any of/),
    ])
    const ssl = { ...pendingHostname().ssl, status: 'pending' }
    expect(customHostnameResponseProblems('details', envelope({ ...pendingHostname(), ssl }))).toEqual([
      expect.stringMatching(/^\/result\/ssl\/status: /),
    ])
  })

  it('refuses a result without its id, an ownership record of another type, and a failed envelope', () => {
    const withoutId: Record<string, unknown> = pendingHostname()
    delete withoutId['id']
    expect(customHostnameResponseProblems('details', envelope(withoutId))).toHaveLength(1)
    const cname = { ...pendingHostname(), ownership_verification: { type: 'cname', name: 'x', value: 'y' } }
    expect(customHostnameResponseProblems('details', envelope(cname))).toEqual([
      expect.stringMatching(/^\/result\/ownership_verification\/type: /),
    ])
    const failed = { success: false, errors: [{ code: 1407, message: 'Invalid custom hostname.' }], messages: [] }
    expect(customHostnameResponseProblems('details', failed)).toEqual([expect.stringMatching(/^\/success: /)])
  })

  it('takes a list answer with its result_info', () => {
    const body = {
      ...envelope([pendingHostname()]),
      result_info: { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 },
    }
    expect(customHostnameResponseProblems('list', body)).toEqual([])
    expect(customHostnameResponseProblems('list', { ...body, result: [{ hostname: 'x' }] })).toHaveLength(1)
  })

  it('takes the delete answer the document gives, a bare { id }, and one in an envelope', () => {
    expect(customHostnameResponseProblems('delete', { id: ID })).toEqual([])
    expect(customHostnameResponseProblems('delete', envelope({ id: ID }))).toEqual([])
    expect(customHostnameResponseProblems('delete', { id: 42 })).toHaveLength(1)
  })
})
