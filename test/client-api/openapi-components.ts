import type { Schema } from '@cfworker/json-schema'

// The component schemas of Cloudflare's OpenAPI document that openapi-schemas.ts's operations use,
// restated by hand (see that file for the document's version and how OpenAPI 3.0 maps to JSON Schema).

// ---------------------------------------------------------------------------------------------------
// The envelope

/** `workers_messages` (= `iam_messages`, `dlp_messages`): each message a code ≥ 1000 and a text. */
export const messages: Schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'integer', minimum: 1000 },
      message: { type: 'string' },
      documentation_url: { type: 'string' },
      source: { type: 'object', properties: { pointer: { type: 'string' } } },
    },
  },
}

/**
 * `workers_api-response-common` (= `iam_api-response-common`): success true, errors and messages.
 * `result` is the operation's (allOf with it), required where the operation says so.
 */
export function succeeded(result?: Schema, resultRequired = false, extra: Record<string, Schema> = {}): Schema {
  return succeededWith(messages, result, resultRequired, extra)
}

/** An envelope that succeeded, with its group's `messages` (KV's and D1's are their own); `result` as the operation gives it. */
export function succeededWith(
  messages: Schema,
  result: Schema | undefined,
  resultRequired: boolean,
  extra: Record<string, Schema> = {},
): Schema {
  return {
    type: 'object',
    required: ['success', 'errors', 'messages', ...(result && resultRequired ? ['result'] : [])],
    properties: {
      success: { type: 'boolean', enum: [true] },
      errors: messages,
      messages,
      ...(result ? { result } : {}),
      ...extra,
    },
  }
}

/** `workers_api-response-common-failure` (= `iam_api-response-common-failure`): success false, result null. */
export const commonFailure: Schema = {
  type: 'object',
  required: ['success', 'errors', 'messages', 'result'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    errors: messages,
    messages,
    // { type: object, nullable: true, enum: [null] }
    result: { type: ['object', 'null'], enum: [null] },
  },
}

/** The 4XX of `worker-script-update-create-assets-upload-session`: inline, success true *or* false, result null. */
export const failureSuccessEither: Schema = {
  type: 'object',
  required: ['success', 'errors', 'messages', 'result'],
  properties: {
    success: { type: 'boolean', enum: [true, false] },
    errors: messages,
    messages,
    result: { type: ['object', 'null'], enum: [null] },
  },
}

/** `workers_api-response-null-result`: the common envelope with an optional result that is null. */
export const nullResult = succeeded({ type: ['object', 'null'], enum: [null] })

// ---------------------------------------------------------------------------------------------------
// Workers components

export const dateTime: Schema = { type: 'string', format: 'date-time' }
export const strings: Schema = { type: 'array', items: { type: 'string' } }

/** `workers_usage_model`. */
export const usageModel: Schema = { type: 'string', enum: ['standard', 'bundled', 'unbound'] }
/** `workers_placement_mode`. */
export const placementMode: Schema = { type: 'string', enum: ['smart'] }
/** `workers_placement_status`. */
export const placementStatus: Schema = {
  type: 'string',
  enum: ['SUCCESS', 'UNSUPPORTED_APPLICATION', 'INSUFFICIENT_INVOCATIONS'],
}
/** `workers_tail_consumers` (of `workers_tail_consumers_script`). */
export const tailConsumers: Schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['service'],
    properties: { service: { type: 'string' }, environment: { type: 'string' }, namespace: { type: 'string' } },
  },
}
/** `workers_observability` (its `logs` object requires `enabled` and `invocation_logs`). */
export const observability: Schema = {
  type: 'object',
  required: ['enabled'],
  properties: {
    enabled: { type: 'boolean' },
    head_sampling_rate: { type: ['number', 'null'] },
    logs: {
      type: ['object', 'null'],
      required: ['enabled', 'invocation_logs'],
      properties: {
        enabled: { type: 'boolean' },
        invocation_logs: { type: 'boolean' },
        head_sampling_rate: { type: ['number', 'null'] },
        destinations: strings,
        persist: { type: 'boolean' },
      },
    },
  },
}

/** `workers_script-response`: every property optional. */
export const scriptResponseProperties: Record<string, Schema> = {
  cache_options: { type: 'object', required: ['enabled'], properties: { enabled: { type: 'boolean' } } },
  compatibility_date: { type: 'string' }, // workers_compatibility_date
  compatibility_flags: strings, // workers_compatibility_flags
  created_on: dateTime, // workers_created_on
  etag: { type: 'string' }, // workers_etag
  handlers: strings,
  has_assets: { type: 'boolean' }, // workers_has_assets
  has_modules: { type: 'boolean' }, // workers_has_modules
  id: { type: 'string' },
  last_deployed_from: { type: 'string' },
  logpush: { type: 'boolean' }, // workers_logpush
  migration_tag: { type: 'string' },
  modified_on: dateTime, // workers_modified_on
  named_handlers: {
    type: 'array',
    items: { type: 'object', properties: { handlers: strings, name: { type: 'string' } } },
  },
  observability,
  placement: {
    // workers_placement_info
    type: 'object',
    properties: { last_analyzed_at: dateTime, mode: placementMode, status: placementStatus },
  },
  placement_mode: placementMode,
  placement_status: placementStatus,
  tag: { type: 'string' },
  tags: strings,
  tail_consumers: tailConsumers,
  usage_model: usageModel,
}
export const scriptResponse: Schema = { type: 'object', properties: scriptResponseProperties }

/** `workers_script-response-upload`: `workers_script-response` and a *required* `startup_time_ms`. */
export const scriptResponseUpload: Schema = {
  type: 'object',
  required: ['startup_time_ms'],
  properties: { ...scriptResponseProperties, startup_time_ms: { type: 'integer' } },
}

/** `workers_namespace-script-response`. */
export const namespaceScriptResponse: Schema = {
  type: 'object',
  properties: {
    created_on: dateTime,
    dispatch_namespace: { type: 'string' }, // workers_dispatch_namespace_name
    modified_on: dateTime,
    script: scriptResponse,
  },
}

/**
 * `workers_secret`: oneOf `workers_binding_kind_secret_text` ({name, text, type}; `text` is writeOnly,
 * so not required here) and `workers_binding_kind_secret_key` (algorithm, format, name, type, usages).
 */
export const secret: Schema = {
  oneOf: [
    {
      type: 'object',
      required: ['name', 'type'],
      properties: { name: { type: 'string' }, type: { type: 'string', enum: ['secret_text'] } },
    },
    {
      type: 'object',
      required: ['algorithm', 'format', 'name', 'type', 'usages'],
      properties: {
        algorithm: {},
        format: { type: 'string', enum: ['raw', 'pkcs8', 'spki', 'jwk'] },
        name: { type: 'string' },
        type: { type: 'string', enum: ['secret_key'] },
        usages: {
          type: 'array',
          items: {
            type: 'string',
            enum: ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'],
          },
        },
      },
    },
  ],
}

/** `workers_schedule`. */
export const schedule: Schema = {
  type: 'object',
  required: ['cron'],
  properties: { cron: { type: 'string' }, created_on: { type: 'string' }, modified_on: { type: 'string' } },
}
export const schedules: Schema = {
  type: 'object',
  required: ['schedules'],
  properties: { schedules: { type: 'array', items: schedule } },
}

/** `workers_tail`: id (`dls_identifier`, at most 32 characters), url and expires_at, all required. */
export const tail: Schema = {
  type: 'object',
  required: ['expires_at', 'id', 'url'],
  properties: { expires_at: { type: 'string' }, id: { type: 'string', maxLength: 32 }, url: { type: 'string' } },
}

/**
 * `workers_binding_item`: a oneOf of the `workers_binding_kind_*` objects, of which every one requires
 * `name` and its `type`; summed up as that (the kinds' own required fields are not restated).
 */
export const bindingItem: Schema = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string' },
    type: {
      type: 'string',
      enum: [
        'ai',
        'analytics_engine',
        'assets',
        'browser',
        'd1',
        'data_blob',
        'dispatch_namespace',
        'durable_object_namespace',
        'hyperdrive',
        'inherit',
        'images',
        'json',
        'kv_namespace',
        'mtls_certificate',
        'plain_text',
        'pipelines',
        'queue',
        'r2_bucket',
        'secret_text',
        'send_email',
        'service',
        'tail_consumer',
        'text_blob',
        'vectorize',
        'version_metadata',
        'secrets_store_secret',
        'secret_key',
        'workflow',
        'wasm_module',
      ],
    },
  },
}

/** `workers_script-and-version-settings-item`: every property optional. */
export const scriptAndVersionSettings: Schema = {
  type: 'object',
  properties: {
    bindings: { type: 'array', items: bindingItem }, // workers_bindings
    compatibility_date: { type: 'string' },
    compatibility_flags: strings,
    limits: { type: 'object', properties: { cpu_ms: { type: 'integer' } } }, // workers_limits
    logpush: { type: 'boolean' },
    migrations: { type: 'object' }, // oneOf workers_single_step_migrations / workers_multiple_step_migrations
    observability,
    placement: { type: 'object', properties: { mode: placementMode } }, // workers_placement_info_no_status
    tags: { type: 'array', items: { type: 'string', maxLength: 1024 }, maxItems: 10 }, // workers_tags
    tail_consumers: tailConsumers,
    usage_model: usageModel,
  },
}

/** The result of `workers_create-assets-upload-session-response`. */
export const assetsUploadSession: Schema = {
  type: 'object',
  properties: { buckets: { type: 'array', items: strings }, jwt: { type: 'string' } },
}

// ---------------------------------------------------------------------------------------------------
// IAM components

/** `iam_account`: id (at most 32 characters), name and type are required. */
export const account: Schema = {
  type: 'object',
  required: ['id', 'name', 'type'],
  properties: {
    id: { type: 'string', maxLength: 32 }, // iam_common_components-schemas-identifier
    name: { type: 'string', maxLength: 100 },
    type: { type: 'string', enum: ['standard', 'enterprise'] }, // iam_account-type
    created_on: dateTime,
    managed_by: {
      type: 'object',
      properties: { parent_org_id: { type: 'string' }, parent_org_name: { type: 'string' } },
    },
    settings: {
      type: 'object',
      properties: { abuse_contact_email: { type: 'string' }, enforce_twofactor: { type: 'boolean' } },
    },
  },
}

/** `iam_result_info`. */
export const resultInfo: Schema = {
  type: 'object',
  properties: {
    count: { type: 'number' },
    page: { type: 'number' },
    per_page: { type: 'number' },
    total_count: { type: 'number' },
  },
}

/** `iam_membership` (and, with `policies`, `iam_membership-with-policies`): every property optional. */
export const membership: Schema = {
  type: 'object',
  properties: {
    account, // iam_schemas-account (allOf iam_account)
    api_access_enabled: { type: ['boolean', 'null'] }, // iam_api_access_enabled
    id: { type: 'string', maxLength: 32 }, // iam_membership_components-schemas-identifier
    permissions: { type: 'object' }, // iam_permissions
    policies: { type: 'array', items: { type: 'object' } }, // iam_list_member_policy
    roles: strings, // iam_role_names
    status: { type: 'string', enum: ['accepted', 'pending', 'rejected'] }, // iam_schemas-status
  },
}
