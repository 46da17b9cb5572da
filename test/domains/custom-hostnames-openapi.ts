import { Validator, type Schema } from '@cfworker/json-schema'

// The Custom Hostnames operations of Cloudflare for SaaS that the platform calls (create, details,
// delete, list by ?hostname=), request and 200 response, restated by hand from Cloudflare's OpenAPI
// document as JSON Schema (draft 2020-12) for @cfworker/json-schema, with a checker for both sides.
//
// Which text of the document was at hand:
// - github.com/cloudflare/api-schemas, openapi.json: the snapshot at hand (HEAD 2ac8369e, 2026-08-14)
//   lists openapi.json and openapi.yaml but holds their contents only up to commit cca3064f
//   (2024-08-06). That copy was read in full for these operations, for comparison only (see below).
// - The text restated here: api-evangelist/cloudflare commit c0529e97d8e4f41ce3945bd8a9c4f26b628ec47d,
//   openapi/cloudflare-custom-hostname-for-a-zone-api-openapi.yml, the "Custom Hostname for a Zone" tag
//   of Cloudflare's document split out whole (operations, parameters, requestBodies and every
//   `tls-certificates-and-hostnames_*` component they $ref, descriptions and x-* kept). The splitter
//   rewrote `nullable: true` as a type array (only in the failure envelopes, not restated here). It is a
//   later generation than api-schemas c92b9b0f (2026-07-27) and than the SDK build of 2026-08-12 (below):
//   it has `tls-certificates-and-hostnames_custom_hostname_identifier` where they have `…_identifier`.
// - Cross-checked against the per-component text of api-schemas c92b9b0f's openapi.json (the commit
//   test/client-api and test/backends restate) for `…_custom-hostname`, `…_ownership_verification`,
//   `…_ownership_verification_http`, `…_validation_record`, `…_verification_errors`, `…_sslsettings`,
//   `…_custom_cert_bundle`, `…_custom_cert_and_key` and `…_custom_hostname_api_response_common`: they
//   agree but for one thing, `…_custom-hostname`'s `id`, which c92b9b0f $refs to
//   `…_identifier` (a string of at most 32: a real custom hostname id, a 36-character UUID, fails it).
// - And against github.com/cloudflare/cloudflare-typescript faaaf89e (2026-08-18; custom-hostnames.ts
//   as built 2026-08-12 by 084ec403), which agrees on every enum, required list and query parameter
//   (it folds `hostname.exact` / `.contain` / `.startsWith` into an object `hostname` and so loses the
//   plain `hostname` string parameter, which the document still declares).
//
// Changes since the 2024-08 copy: the create body requires `hostname` only (not `ssl` too) and takes
// `custom_origin_server` / `custom_origin_sni`; DELETE has no requestBody (2024: a required one of any
// JSON, `application/json: {}`); the list takes `hostname.exact`, `hostname.contain`,
// `hostname.startsWith`, `ssl_status`, `hostname_status`, `certificate_authority`, `wildcard`,
// `custom_origin_server`, and `per_page` up to 1000 (2024: 50); `custom_metadata` is a map of strings;
// `ssl` has `dcv_delegation_records`; `messages` is an array of strings; a result needs no `ssl`.
//
// OpenAPI 3.0 → JSON Schema: `nullable: true` → type [X, "null"] (none in what is restated);
// description, example, default, readOnly, writeOnly and x-* dropped; `allOf` of the envelope and of
// `…_custom-hostname` with `…_customhostname` merged into one object; a `oneOf` of one branch (`…_ssl`,
// `…_sslpost`, `…_ownership_verification(_http)`) restated as that branch (the same instances, plainer
// errors); `uniqueItems` on an *object* (the items of `…_messages`) constrains nothing and is left out.
// Enums and required lists as written; objects left open (no additionalProperties: false) as the
// document leaves them; `custom_metadata`'s additionalProperties (strings) is the document's own.
// Path parameters only place a request (as in test/backends/namespace-openapi-check.ts); their schemas
// are exported below. What the descriptions say and no schema does (`id`, `hostname` and the three
// `hostname.*` parameters exclude one another) is not checked.

const string: Schema = { type: 'string' }
const boolean: Schema = { type: 'boolean' }
const number: Schema = { type: 'number' }
const strings: Schema = { type: 'array', items: string }
const dateTime: Schema = { type: 'string', format: 'date-time' }

// ---------------------------------------------------------------------------------------------------
// Components

/** `tls-certificates-and-hostnames_identifier` (the zone_id path parameter). */
export const zoneIdentifier: Schema = { type: 'string', maxLength: 32 }
/** `tls-certificates-and-hostnames_custom_hostname_identifier` (the custom_hostname_id path parameter, a result's `id`). */
export const customHostnameIdentifier: Schema = { type: 'string', minLength: 36, maxLength: 36 }

/** `tls-certificates-and-hostnames_components-schemas-status` (c92b9b0f) = `…_status-3` (later): the hostname's activation. */
export const hostnameStatus: Schema = {
  type: 'string',
  enum: [
    'active',
    'pending',
    'active_redeploying',
    'moved',
    'pending_deletion',
    'deleted',
    'pending_blocked',
    'pending_migration',
    'pending_provisioned',
    'test_pending',
    'test_active',
    'test_active_apex',
    'test_blocked',
    'test_failed',
    'provisioned',
    'blocked',
  ],
}

/** `…_ssl`'s `status` (and the list's `ssl_status` query parameter): the hostname's SSL certificates. */
export const sslStatus: Schema = {
  type: 'string',
  enum: [
    'initializing',
    'pending_validation',
    'deleted',
    'pending_issuance',
    'pending_deployment',
    'pending_deletion',
    'pending_expiration',
    'expired',
    'active',
    'initializing_timed_out',
    'validation_timed_out',
    'issuance_timed_out',
    'deployment_timed_out',
    'deletion_timed_out',
    'pending_cleanup',
    'staging_deployment',
    'staging_active',
    'deactivating',
    'inactive',
    'backup_issued',
    'holding_deployment',
  ],
}

/** Domain control validation (DCV) method, of `…_ssl` and `…_sslpost`. */
const dcvMethod: Schema = { type: 'string', enum: ['http', 'txt', 'email'] }
/** Level of validation, of `…_ssl` and `…_sslpost`: "Domain validation (dv) must be used." */
const validationType: Schema = { type: 'string', enum: ['dv'] }
const bundleMethod: Schema = { type: 'string', enum: ['ubiquitous', 'optimal', 'force'] }
/** `tls-certificates-and-hostnames_certificate_authority`. */
const certificateAuthority: Schema = { type: 'string', enum: ['digicert', 'google', 'lets_encrypt', 'ssl_com'] }
const onOff: Schema = { type: 'string', enum: ['on', 'off'] }

/** `tls-certificates-and-hostnames_sslsettings`. */
const sslSettings: Schema = {
  type: 'object',
  properties: {
    ciphers: { type: 'array', items: string, uniqueItems: true },
    early_hints: onOff,
    http2: onOff,
    min_tls_version: { type: 'string', enum: ['1.0', '1.1', '1.2', '1.3'] },
    tls_1_3: onOff,
  },
}

/** `tls-certificates-and-hostnames_validation_record` (of `validation_records` and `dcv_delegation_records`). */
const validationRecord: Schema = {
  type: 'object',
  properties: {
    cname: string,
    cname_target: string,
    emails: strings,
    http_body: string,
    http_url: string,
    status: string,
    txt_name: string,
    txt_value: string,
  },
}

/** `tls-certificates-and-hostnames_ssl` (a oneOf of this one object). */
export const ssl: Schema = {
  type: 'object',
  properties: {
    bundle_method: bundleMethod,
    certificate_authority: certificateAuthority,
    custom_certificate: string,
    custom_csr_id: string,
    custom_key: string,
    dcv_delegation_records: { type: 'array', items: validationRecord },
    expires_on: dateTime,
    hosts: strings,
    id: { type: 'string', minLength: 36, maxLength: 36 },
    issuer: string,
    method: dcvMethod,
    serial_number: string,
    settings: sslSettings,
    signature: string,
    status: sslStatus,
    type: validationType,
    uploaded_on: dateTime,
    validation_errors: { type: 'array', items: { type: 'object', properties: { message: string } } },
    validation_records: { type: 'array', items: validationRecord },
    wildcard: boolean,
  },
}

/** `tls-certificates-and-hostnames_custom_cert_bundle` of `…_custom_cert_and_key`. */
const customCertBundle: Schema = {
  type: 'array',
  minItems: 1,
  maxItems: 2,
  items: {
    type: 'object',
    required: ['custom_certificate', 'custom_key'],
    properties: { custom_certificate: string, custom_key: string },
  },
}

/** `tls-certificates-and-hostnames_sslpost` (a oneOf of this one object): nothing required. */
export const sslPost: Schema = {
  type: 'object',
  properties: {
    bundle_method: bundleMethod,
    certificate_authority: certificateAuthority,
    cloudflare_branding: boolean,
    custom_cert_bundle: customCertBundle,
    custom_certificate: string,
    custom_csr_id: string,
    custom_key: string,
    method: dcvMethod,
    settings: sslSettings,
    type: validationType,
    wildcard: boolean,
  },
}

/** `tls-certificates-and-hostnames_custom_metadata`: "Unique key/value metadata", a map of strings. */
const customMetadata: Schema = { type: 'object', additionalProperties: string }
/** `…_custom_origin_server` and `…_custom_origin_sni`. */
const customOriginServer = string
const customOriginSni = string
/** `…_hostname_post` (request) and `…_hostname` (response, readOnly): at most 255 characters. */
const hostname: Schema = { type: 'string', maxLength: 255 }

/**
 * `tls-certificates-and-hostnames_custom-hostname`: its own `hostname`, `id`, `ssl` and required list,
 * with `…_customhostname` (allOf) merged in.
 */
export const customHostname: Schema = {
  type: 'object',
  required: ['id', 'hostname'],
  properties: {
    id: customHostnameIdentifier,
    hostname,
    ssl,
    created_at: dateTime, // …_created_at
    custom_metadata: customMetadata,
    custom_origin_server: customOriginServer,
    custom_origin_sni: customOriginSni,
    // `…_ownership_verification`: "a record which can be placed to activate a hostname".
    ownership_verification: {
      type: 'object',
      properties: { name: string, type: { type: 'string', enum: ['txt'] }, value: string },
    },
    // `…_ownership_verification_http`: "the token to be served by the given http url".
    ownership_verification_http: { type: 'object', properties: { http_body: string, http_url: string } },
    status: hostnameStatus,
    verification_errors: strings, // …_verification_errors
  },
}

// ---------------------------------------------------------------------------------------------------
// The envelope

/** `tls-certificates-and-hostnames_messages` (the envelope's `errors`): each a code ≥ 1000 and a text. */
const errorMessages: Schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'integer', minimum: 1000 },
      documentation_url: string,
      message: string,
      source: { type: 'object', properties: { pointer: string } },
    },
  },
}

/**
 * `tls-certificates-and-hostnames_custom_hostname_api_response_common` (success true; its `messages`
 * are `…_custom_hostname_response_messages`, an array of *strings*), allOf with the operation's result.
 */
function succeeded(properties: Record<string, Schema>): Schema {
  return {
    type: 'object',
    required: ['success', 'errors', 'messages'],
    properties: { success: { type: 'boolean', enum: [true] }, errors: errorMessages, messages: strings, ...properties },
  }
}

/** `tls-certificates-and-hostnames_custom_hostname_response_single`: result optional. */
const responseSingle = succeeded({ result: customHostname })

/** `tls-certificates-and-hostnames_custom_hostname_response_collection`, with `…_result_info`. */
const responseCollection = succeeded({
  result: { type: 'array', items: customHostname },
  result_info: {
    type: 'object',
    properties: { count: number, page: number, per_page: number, total_count: number, total_pages: number },
  },
})

// ---------------------------------------------------------------------------------------------------
// The operations

export type CustomHostnameOperationName = 'create' | 'details' | 'delete' | 'list'

export interface CustomHostnameOperation {
  /** The document's operationId. */
  operationId: string
  method: 'GET' | 'POST' | 'DELETE'
  /** The path under /client/v4, with the document's {parameters}. */
  path: string
  /** The query parameters the operation declares (none of them required). */
  query?: Record<string, Schema>
  /** The application/json request body (the document requires it where there is one). */
  requestBody?: Schema
  /** The 200 answer. */
  response: Schema
}

const COLLECTION = '/zones/{zone_id}/custom_hostnames'
const ONE = '/zones/{zone_id}/custom_hostnames/{custom_hostname_id}'
/** Maxima of the hostname filters (`hostname`, `hostname.exact`, `.startsWith`, `.contain`). */
const hostnameFilter: Schema = { type: 'string', maxLength: 255 }

export const customHostnameOperations: Record<CustomHostnameOperationName, CustomHostnameOperation> = {
  create: {
    operationId: 'custom-hostname-for-a-zone-create-custom-hostname',
    method: 'POST',
    path: COLLECTION,
    requestBody: {
      type: 'object',
      required: ['hostname'],
      properties: {
        custom_metadata: customMetadata,
        custom_origin_server: customOriginServer,
        custom_origin_sni: customOriginSni,
        hostname, // …_hostname_post
        ssl: sslPost,
      },
    },
    response: responseSingle,
  },
  details: {
    operationId: 'custom-hostname-for-a-zone-custom-hostname-details',
    method: 'GET',
    path: ONE,
    response: responseSingle,
  },
  // No requestBody; the 200 is the document's bare `{ id }` (no envelope; open, so an envelope passes).
  delete: {
    operationId: 'custom-hostname-for-a-zone-delete-custom-hostname-(-and-any-issued-ssl-certificates)',
    method: 'DELETE',
    path: ONE,
    response: { type: 'object', properties: { id: customHostnameIdentifier } },
  },
  list: {
    operationId: 'custom-hostname-for-a-zone-list-custom-hostnames',
    method: 'GET',
    path: COLLECTION,
    query: {
      hostname: hostnameFilter,
      'hostname.exact': hostnameFilter,
      'hostname.startsWith': hostnameFilter,
      'hostname.contain': hostnameFilter,
      id: { type: 'string', minLength: 36, maxLength: 36 },
      page: { type: 'number', minimum: 1 },
      per_page: { type: 'number', minimum: 5, maximum: 1000 },
      order: { type: 'string', enum: ['ssl', 'ssl_status'] },
      direction: { type: 'string', enum: ['asc', 'desc'] },
      ssl_status: sslStatus,
      hostname_status: hostnameStatus,
      certificate_authority: { type: 'string', enum: ['google', 'lets_encrypt', 'ssl_com'] },
      wildcard: boolean,
      custom_origin_server: string,
      ssl: { type: 'integer', enum: [0, 1] },
    },
    response: responseCollection,
  },
}

// ---------------------------------------------------------------------------------------------------
// The checker

/**
 * The document's other paths under /custom_hostnames/ that the {custom_hostname_id} template would
 * otherwise match (OpenAPI: a concrete path wins over a templated one).
 */
const OTHER_PATHS = new Set(['quota', 'fallback_origin'])

const OPERATIONS = (Object.keys(customHostnameOperations) as CustomHostnameOperationName[]).map((name) => ({
  name,
  operation: customHostnameOperations[name],
  pattern: new RegExp(`^${customHostnameOperations[name].path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}))

const validators = new WeakMap<Schema, Validator>()

/**
 * The validator's errors, one line each: instance location (a JSON pointer, "/" for the whole; left
 * out for a query value, always a whole) and what is wrong there. Only the deepest: an error at a location some other error lies under (the
 * "Property … does not match schema." of its parents) is left out.
 */
function validate(schema: Schema, instance: unknown, withLocation = true): string[] {
  let validator = validators.get(schema)
  if (!validator) {
    validator = new Validator(schema, '2020-12', false)
    validators.set(schema, validator)
  }
  const { errors } = validator.validate(instance)
  const leaves = errors.filter(
    (error) => !errors.some((other) => other.instanceLocation.startsWith(`${error.instanceLocation}/`)),
  )
  const lines = leaves.map((error) =>
    withLocation ? `${error.instanceLocation.replace(/^#/, '') || '/'}: ${error.error}` : error.error,
  )
  return [...new Set(lines)]
}

/** A query value as its schema reads it (form style: numbers and booleans are written out). */
function queryValue(schema: Schema, value: string): unknown {
  if ((schema.type === 'number' || schema.type === 'integer') && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) {
    return Number(value)
  }
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
  return value
}

/** Which operation a request is (method + path after /client/v4), or undefined. */
export function customHostnameOperationOf(
  method: string,
  pathAfterClientV4: string,
): keyof typeof customHostnameOperations | undefined {
  const path = pathAfterClientV4.split('?')[0] ?? ''
  const found = OPERATIONS.find(({ operation, pattern }) => {
    if (operation.method !== method.toUpperCase()) return false
    const match = pattern.exec(path)
    const id = match?.groups?.['custom_hostname_id']
    return match !== null && (id === undefined || !OTHER_PATHS.has(id))
  })
  return found?.name
}

/**
 * Problems with a request: unknown query params or values failing their schema, body failing
 * requestBody; [] when valid. `body` is the parsed JSON or undefined when none was sent.
 */
export function customHostnameRequestProblems(method: string, pathAndQuery: string, body: unknown): string[] {
  const name = customHostnameOperationOf(method, pathAndQuery)
  if (!name) return [`${method} ${pathAndQuery.split('?')[0]} is none of the custom hostname operations`]
  const operation = customHostnameOperations[name]
  const problems: string[] = []

  const queryAt = pathAndQuery.indexOf('?')
  const query = new URLSearchParams(queryAt === -1 ? '' : pathAndQuery.slice(queryAt + 1))
  const declared = operation.query ?? {}
  for (const parameter of new Set(query.keys())) {
    const schema = declared[parameter]
    const values = query.getAll(parameter)
    if (!schema) {
      problems.push(`query ${parameter}: the operation declares no such parameter`)
      continue
    }
    if (values.length > 1) problems.push(`query ${parameter}: given ${values.length} times, the document takes one`)
    for (const value of values) {
      problems.push(
        ...validate(schema, queryValue(schema, value), false).map((e) => `query ${parameter}=${value}: ${e}`),
      )
    }
  }

  if (!operation.requestBody) {
    if (body !== undefined) problems.push('sends a body the operation does not take')
  } else if (body === undefined) {
    problems.push('requires an application/json request body; none was sent')
  } else {
    problems.push(...validate(operation.requestBody, body))
  }
  return problems
}

/** Problems with a 200 response body for the operation; [] when valid. */
export function customHostnameResponseProblems(
  operation: keyof typeof customHostnameOperations,
  body: unknown,
): string[] {
  if (body === undefined) return ['no JSON value (none was received, or it did not parse)']
  return validate(customHostnameOperations[operation].response, body)
}
