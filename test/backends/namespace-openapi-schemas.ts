import type { Schema } from '@cfworker/json-schema'
import { strings, usageModel } from '../client-api/openapi-components'

// The *request* side of the operations the dispatch-namespace backend calls (src/backends/cloudflare-api.ts),
// restated by hand from Cloudflare's OpenAPI document as JSON Schema (draft 2020-12) for
// namespace-openapi.test.ts. Same document and mapping as test/client-api/openapi-schemas.ts (2026-07,
// api-schemas commit c92b9b0f; `nullable` → type [X, "null"]; description, example, readOnly, writeOnly
// and x-* extensions dropped, objects left open as the document leaves them).
//
// Of that document, the text at hand was: each operation below (parameters, requestBody), and the
// components `workers_create-assets-upload-session-object`, `workers_assets`, `workers_bindings`,
// `workers_binding_kind_{plain_text, secret_text, json, kv_namespace, d1, service, assets,
// durable_object_namespace, queue, inherit}`, `workers_observability`, `workers_limits`,
// `workers_tail_consumers(_script)`, `workers_compatibility_flags`, `workers_multiple_step_migrations`,
// `workers_migration_step` and `workers_migration_tag_conditions`. The script upload's request body is a
// $ref (`#/components/requestBodies/workers_namespace_upload`) whose text was not: its multipart schema
// and the `metadata` object's own properties are restated from the SDK Stainless generates from the
// document (cloudflare-typescript, dispatch/namespaces/scripts/scripts.ts `ScriptUpdateParams`, builds
// of 2026-07-06 and 2026-08-17, which agree on every property below) and the `workers_multipart-script`
// component it had before; so are `workers_manifest-value` and the binding kinds not listed above
// (their required fields; their optional ones are summed up).

// ---------------------------------------------------------------------------------------------------
// Shared pieces

const string: Schema = { type: 'string' }
const boolean: Schema = { type: 'boolean' }
const integer: Schema = { type: 'integer' }
const number: Schema = { type: 'number' }
const nullableNumber: Schema = { type: ['number', 'null'] }

/**
 * `workers_binding_kind_<type>`: `name` (`workers_binding_name`, a string) and `type` (an enum of the one
 * kind) are required of every kind, with the kind's own required properties; `optional` ones as given.
 */
function kind(type: string, required: Record<string, Schema> = {}, optional: Record<string, Schema> = {}): Schema {
  return {
    type: 'object',
    required: ['name', 'type', ...Object.keys(required)],
    properties: { name: string, type: { type: 'string', enum: [type] }, ...required, ...optional },
  }
}

/**
 * `workers_binding_item`: oneOf the `workers_binding_kind_*` objects. Each kind's `type` is an enum of one
 * value, so at most one branch matches any binding.
 */
export const bindingItem: Schema = {
  oneOf: [
    // The kinds whose text was at hand (2026-07):
    kind('plain_text', { text: string }),
    kind('secret_text', { text: string }),
    // `json: { type: object, x-stainless-any: true }`: an object, as written (the extension is the SDK's).
    kind('json', { json: { type: 'object' } }),
    kind('kv_namespace', { namespace_id: string }), // workers_namespace_identifier
    // `id` is deprecated ("renamed to `database_id`"), and `database_id` is required.
    kind('d1', { database_id: string }, { id: string }),
    kind('service', { service: string }, { entrypoint: string, environment: string }),
    kind('assets'),
    // Neither `class_name` nor any other of its properties is required.
    kind(
      'durable_object_namespace',
      {},
      {
        class_name: string,
        dispatch_namespace: string,
        environment: string,
        namespace_id: string,
        script_name: string,
      },
    ),
    kind('queue', { queue_name: string }),
    kind('inherit', {}, { old_name: string, version_id: string }),
    // The others, as the SDK's build of 2026-07-06 lists them (that of 2026-08-17 adds `messaging`):
    kind('ai'),
    kind('ai_search', { instance_name: string }, { namespace: string }),
    kind('ai_search_namespace', { namespace: string }),
    kind('analytics_engine', { dataset: string }),
    kind('browser'),
    kind('data_blob', { part: string }),
    kind('dispatch_namespace', { namespace: string }, { outbound: { type: 'object' } }),
    kind('hyperdrive', { id: string }),
    kind('images'),
    kind('media'),
    kind('mtls_certificate', { certificate_id: string }),
    kind('pipelines', { pipeline: string }),
    kind('ratelimit', {
      namespace_id: string,
      simple: { type: 'object', required: ['limit', 'period'], properties: { limit: number, period: number } },
    }),
    kind(
      'r2_bucket',
      { bucket_name: string },
      { jurisdiction: { type: 'string', enum: ['eu', 'fedramp', 'fedramp-high'] } },
    ),
    kind(
      'send_email',
      {},
      { allowed_destination_addresses: strings, allowed_sender_addresses: strings, destination_address: string },
    ),
    kind('text_blob', { part: string }),
    kind('vectorize', { index_name: string }),
    kind('version_metadata'),
    kind('secrets_store_secret', { secret_name: string, store_id: string }),
    kind('flagship', { app_id: string }),
    kind(
      'secret_key',
      {
        algorithm: {},
        format: { type: 'string', enum: ['raw', 'pkcs8', 'spki', 'jwk'] },
        usages: {
          type: 'array',
          items: {
            type: 'string',
            enum: ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'],
          },
        },
      },
      { key_base64: string, key_jwk: {} },
    ),
    kind('workflow', { workflow_name: string }, { class_name: string, script_name: string }),
    kind('wasm_module', { part: string }),
    kind('vpc_service', { service_id: string }),
    kind('vpc_network', {}, { network_id: string, tunnel_id: string }),
  ],
}

/** `workers_assets`: the completion token and how the assets are served; nothing required. */
export const assets: Schema = {
  type: 'object',
  properties: {
    config: {
      type: 'object',
      properties: {
        _headers: string,
        _redirects: string,
        html_handling: {
          type: 'string',
          enum: ['auto-trailing-slash', 'force-trailing-slash', 'drop-trailing-slash', 'none'],
        },
        not_found_handling: { type: 'string', enum: ['none', '404-page', 'single-page-application'] },
        run_worker_first: { oneOf: [{ type: 'array', items: string }, boolean] },
        serve_directly: boolean, // deprecated
      },
    },
    jwt: string,
  },
}

/** `workers_observability` (2026-07: with `traces`). */
const observability: Schema = {
  type: 'object',
  required: ['enabled'],
  properties: {
    enabled: boolean,
    head_sampling_rate: nullableNumber,
    logs: {
      type: ['object', 'null'],
      required: ['enabled', 'invocation_logs'],
      properties: {
        destinations: strings,
        enabled: boolean,
        head_sampling_rate: nullableNumber,
        invocation_logs: boolean,
        persist: boolean,
      },
    },
    traces: {
      type: ['object', 'null'],
      properties: {
        destinations: strings,
        enabled: boolean,
        head_sampling_rate: nullableNumber,
        persist: boolean,
        propagation_policy: { type: 'string', enum: ['authenticated', 'accept'] },
      },
    },
  },
}

/** `workers_migration_tag_conditions` with `workers_migration_step` (a single step) or `steps` of them. */
const migrationStep: Record<string, Schema> = {
  deleted_classes: strings,
  new_classes: strings,
  new_sqlite_classes: strings,
  renamed_classes: { type: 'array', items: { type: 'object', properties: { from: string, to: string } } },
  transferred_classes: {
    type: 'array',
    items: { type: 'object', properties: { from: string, from_script: string, to: string } },
  },
}
const tagConditions: Record<string, Schema> = { new_tag: string, old_tag: string }
/**
 * oneOf `workers_single_step_migrations` / `workers_multiple_step_migrations`. Both are open objects of
 * optional properties, so `{ new_tag }` alone is both and a strict oneOf would refuse it: anyOf.
 */
const migrations: Schema = {
  anyOf: [
    { type: 'object', properties: { ...tagConditions, ...migrationStep } },
    {
      type: 'object',
      properties: { ...tagConditions, steps: { type: 'array', items: { type: 'object', properties: migrationStep } } },
    },
  ],
}

/** The `metadata` part of a script upload: every property optional. */
export const scriptMetadata: Schema = {
  type: 'object',
  properties: {
    assets,
    bindings: { type: 'array', items: bindingItem }, // workers_bindings
    body_part: string,
    cache_options: {
      type: 'object',
      required: ['enabled'],
      properties: { enabled: boolean, cross_version_cache: boolean },
    },
    compatibility_date: string, // workers_compatibility_date
    compatibility_flags: strings, // workers_compatibility_flags
    keep_assets: boolean,
    keep_bindings: strings,
    limits: { type: 'object', properties: { cpu_ms: integer, subrequests: integer } }, // workers_limits
    logpush: boolean, // workers_logpush
    main_module: string,
    migrations,
    observability,
    placement: { type: 'object' }, // a oneOf of eight placement objects, summed up
    tags: strings,
    // workers_tail_consumers: nullable, of workers_tail_consumers_script
    tail_consumers: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['service'],
        properties: { environment: string, namespace: string, service: string },
      },
    },
    usage_model: usageModel,
  },
}

// ---------------------------------------------------------------------------------------------------
// The operations

/** What the document says a request of one operation carries. */
export interface RequestOperation {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  /** The path under /client/v4, with the document's {parameters}. */
  path: string
  /** `api_token` (the API token, as a Bearer token) or `assets_jwt` (an upload session's JWT). */
  security: 'api_token' | 'assets_jwt'
  /** The query parameters the operation declares. */
  query?: Record<string, { required?: boolean; schema: Schema }>
  body?: {
    required: boolean
    mediaType: 'application/json' | 'multipart/form-data'
    schema: Schema
    /** Parts that are JSON (an object property's default encoding in OpenAPI 3.0: application/json). */
    jsonParts?: string[]
  }
  /** What the descriptions say and no schema does (checked apart; see the test). */
  moduleContentTypes?: string[]
}

const SCRIPT = '/accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}'

export const requestOperations = {
  // PUT …/scripts/{script_name}; query bindings_inherit (enum strict); requestBody
  // #/components/requestBodies/workers_namespace_upload: multipart/form-data, `metadata` (required: the
  // object above) and `files` (binary strings), so the part of each module is one more property.
  'namespace-worker-script-upload-worker-module': {
    method: 'PUT',
    path: SCRIPT,
    security: 'api_token',
    query: { bindings_inherit: { schema: { type: 'string', enum: ['strict'] } } },
    body: {
      required: true,
      mediaType: 'multipart/form-data',
      schema: {
        type: 'object',
        required: ['metadata'],
        properties: { metadata: scriptMetadata, files: { type: 'array', items: string } },
      },
      jsonParts: ['metadata'],
    },
    // `files`' description: "Possible Content-Type(s) are: …".
    moduleContentTypes: [
      'application/javascript+module',
      'text/javascript+module',
      'application/javascript',
      'text/javascript',
      'text/x-python',
      'text/x-python-requirement',
      'application/wasm',
      'text/plain',
      'application/octet-stream',
      'application/source-map',
    ],
  },

  // DELETE …/scripts/{script_name}; query force (boolean); requestBody { required: true, content:
  // { application/json: {} } }: a JSON body, of no schema, is required.
  'namespace-worker-script-delete-worker': {
    method: 'DELETE',
    path: SCRIPT,
    security: 'api_token',
    query: { force: { schema: boolean } },
    body: { required: true, mediaType: 'application/json', schema: {} },
  },

  // POST …/scripts/{script_name}/assets-upload-session; requestBody (required) application/json
  // workers_create-assets-upload-session-object: { manifest (required): { [path]: workers_manifest-value } },
  // workers_manifest-value: { hash, size } (both required in the SDK; `size` a number there).
  'namespace-worker-script-update-create-assets-upload-session': {
    method: 'POST',
    path: `${SCRIPT}/assets-upload-session`,
    security: 'api_token',
    body: {
      required: true,
      mediaType: 'application/json',
      schema: {
        type: 'object',
        required: ['manifest'],
        properties: {
          manifest: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['hash', 'size'],
              properties: { hash: string, size: { type: 'number' } },
            },
          },
        },
      },
    },
  },

  // POST /accounts/{account_id}/workers/assets/upload; query base64 (required, boolean, enum [true]);
  // security assets_jwt; requestBody (required) multipart/form-data { type: object,
  // additionalProperties: string (the base64 of a file) }, encoding "*": contentType "*/*".
  'worker-assets-upload': {
    method: 'POST',
    path: '/accounts/{account_id}/workers/assets/upload',
    security: 'assets_jwt',
    query: { base64: { required: true, schema: { type: 'boolean', enum: [true] } } },
    body: {
      required: true,
      mediaType: 'multipart/form-data',
      schema: { type: 'object', additionalProperties: string },
    },
  },

  // GET /accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}: no query, no body.
  'namespace-worker-get-namespace': {
    method: 'GET',
    path: '/accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}',
    security: 'api_token',
  },

  // GET …/scripts/{script_name}/content: no query, no body.
  'namespace-worker-get-script-content': { method: 'GET', path: `${SCRIPT}/content`, security: 'api_token' },
} satisfies Record<string, RequestOperation>

export type RequestOperationId = keyof typeof requestOperations
