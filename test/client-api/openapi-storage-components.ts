import type { Schema } from '@cfworker/json-schema'
import { dateTime, resultInfo, succeededWith } from './openapi-components'

// The `workers-kv_*` and `d1_*` component schemas that openapi-schemas.ts's storage operations use
// (src/routes/client-api-storage.ts), restated by hand: openapi-components.ts split, so that each
// file stays short (see openapi-schemas.ts for the document's version and the OpenAPI 3.0 → JSON
// Schema mapping). Each group has its own envelope and `messages`, not the `workers_*` ones.

/** An envelope that failed, with its group's `messages` and `result`. */
function failedWith(messages: Schema, result: Schema): Schema {
  return {
    type: 'object',
    required: ['success', 'errors', 'messages', 'result'],
    properties: { success: { type: 'boolean', enum: [false] }, errors: messages, messages, result },
  }
}

// ---------------------------------------------------------------------------------------------------
// Workers KV components

/** `workers-kv_messages`: unique items, each a code ≥ 1000 and a text. */
export const kvMessages: Schema = {
  type: 'array',
  uniqueItems: true,
  items: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'integer', minimum: 1000 }, message: { type: 'string' } },
  },
}

/** `workers-kv_api-response-common` (success, errors and messages required; no `result` of its own). */
export function kvSucceeded(result: Schema, extra: Record<string, Schema> = {}): Schema {
  return succeededWith(kvMessages, result, false, extra)
}

/** `workers-kv_api-response-common-failure`: its `result` is a nullable object, with no `enum: [null]`. */
export const kvFailure = failedWith(kvMessages, { type: ['object', 'null'] })

/** `workers-kv_result_info`: every property optional, the same four numbers as `iam_result_info`. */
export const kvResultInfo: Schema = resultInfo

/** `workers-kv_namespace`: id (`workers-kv_namespace_identifier`, ≤ 32) and title (`…_title`, ≤ 512) required. */
export const kvNamespace: Schema = {
  type: 'object',
  required: ['id', 'title'],
  properties: {
    id: { type: 'string', maxLength: 32 },
    supports_url_encoding: { type: 'boolean' },
    title: { type: 'string', maxLength: 512 },
  },
}

// ---------------------------------------------------------------------------------------------------
// D1 components

/**
 * `d1_messages`: each message a code ≥ 1000 and a text. (Its `uniqueItems` sits on the items, which
 * are objects, where it constrains nothing: left out.)
 */
export const d1Messages: Schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'integer', minimum: 1000 }, message: { type: 'string' } },
  },
}

/**
 * `d1_api-response-common`: success, errors, messages and result all required. Its own `result` is
 * `{ type: object }`; the operation's (allOf) is what is restated here, see openapi-schemas.ts.
 */
export function d1Succeeded(result: Schema, extra: Record<string, Schema> = {}): Schema {
  return succeededWith(d1Messages, result, true, extra)
}

/** `d1_api-response-common-failure`: result null (`{ type: object, nullable: true, enum: [null] }`). */
export const d1Failure = failedWith(d1Messages, { type: ['object', 'null'], enum: [null] })

/** `d1_database-name`. */
const d1DatabaseName: Schema = { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9_-]*$' }
/** `d1_database-version`. */
const d1DatabaseVersion: Schema = { type: 'string', pattern: '^(alpha|beta|production)$' }
/** `d1_jurisdiction-nullable` (nullable, so null is taken into its enum too). */
const d1Jurisdiction: Schema = { type: ['string', 'null'], enum: ['eu', 'fedramp', null] }

/** `d1_database-response` (the items of a list): every property optional. */
export const d1DatabaseResponse: Schema = {
  type: 'object',
  properties: {
    created_at: dateTime, // d1_created-at
    jurisdiction: d1Jurisdiction,
    name: d1DatabaseName,
    uuid: { type: 'string' }, // d1_database-identifier
    version: d1DatabaseVersion,
  },
}

/** `d1_database-details-response`: every property optional. */
export const d1DatabaseDetails: Schema = {
  type: 'object',
  properties: {
    created_at: dateTime, // d1_created-at
    file_size: { type: 'number' }, // d1_file-size
    jurisdiction: d1Jurisdiction,
    name: d1DatabaseName,
    num_tables: { type: 'number' }, // d1_table-count
    read_replication: {
      // d1_read-replication-details-for-response
      type: 'object',
      required: ['mode'],
      properties: { mode: { type: 'string', enum: ['auto', 'disabled'] } },
    },
    uuid: { type: 'string' }, // d1_database-identifier
    version: d1DatabaseVersion,
  },
}
