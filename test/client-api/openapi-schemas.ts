import type { Schema } from '@cfworker/json-schema'
import {
  succeeded,
  commonFailure,
  failureSuccessEither,
  nullResult,
  dateTime,
  scriptResponseUpload,
  namespaceScriptResponse,
  secret,
  schedules,
  tail,
  scriptAndVersionSettings,
  assetsUploadSession,
  account,
  resultInfo,
  membership,
} from './openapi-components'
import {
  kvSucceeded,
  kvFailure,
  kvResultInfo,
  kvNamespace,
  d1Succeeded,
  d1Failure,
  d1DatabaseResponse,
  d1DatabaseDetails,
} from './openapi-storage-components'

// Cloudflare's OpenAPI document (github.com/cloudflare/api-schemas, openapi.json) for the responses of
// the operations /client/v4 serves (src/routes/client-api.ts, client-api-storage.ts), restated by hand as
// JSON Schema (draft 2020-12) for openapi.test.ts. Each schema names the operationId and the component
// schemas it restates.
//
// The document as of 2026-07 (api-schemas commit c92b9b0f): each operation's responses and their $refs,
// and the `workers_*` / `iam_*` / `workers-kv_*` / `d1_*` components of that generation. (Of the storage
// components, that document's own text was at hand for `workers-kv_namespace`, `…_api-response-common-
// failure`, `d1_api-response-common`, `d1_database-details-response` and `d1_read-replication-details-
// for-response`; the others are restated from per-component copies of 2026-06-13 (api-evangelist's
// cloudflare-kv and cloudflare-d1 json-schema/), which agree with it on those five.)
//
// Older copies differ where it matters: the 2023-12 one (prefix `gIGDLF1N_`) and the 2024-08 one have
// no assets or script-secrets operations, their `workers_usage_model` is "bundled|unbound" only,
// `iam_account` requires no `type`, and several 4XX answers $ref the *success* envelope
// (`workers_api-response-common`, success: [true]).
//
// OpenAPI 3.0 → JSON Schema: `nullable: true` → type [X, "null"]; `readOnly`, `example`, `description`
// dropped; a `writeOnly` property is not required of a response (OpenAPI 3.0.3, Schema Object: "the
// required will take effect on the request only"); `minLength` on an array (the failure's `errors`)
// constrains nothing, so it is left out. Objects stay open (no `additionalProperties: false`), as in the
// document.

/**
 * What the test validates for one operation: the JSON of its 2xx answer (none when it is not JSON),
 * with the status the operation documents for it (200 unless said), and of its 4XX.
 */
export interface OperationSchemas {
  success?: Schema
  successStatus?: number
  failure: Schema
}

// ---------------------------------------------------------------------------------------------------
// The operations

export const operations = {
  // GET /accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}
  // 200 workers_namespace-script-response-single (result: workers_namespace-script-response);
  // 4XX workers_api-response-common-failure.
  'namespace-worker-script-worker-details': {
    success: succeeded(namespaceScriptResponse, true),
    failure: commonFailure,
  },

  // PUT …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}
  // 200 (the only 2xx documented) #/components/responses/workers_200 → workers_script-response-upload-single (result, required:
  // workers_script-response-upload); 4XX #/components/responses/workers_4XX → workers_api-response-common-failure.
  'namespace-worker-script-upload-worker-module': {
    success: succeeded(scriptResponseUpload, true),
    failure: commonFailure,
  },

  // DELETE …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}
  // 200 workers_api-response-null-result; 4XX workers_api-response-common-failure.
  'namespace-worker-script-delete-worker': { success: nullResult, failure: commonFailure },

  // DELETE /accounts/{account_id}/workers/scripts/{script_name}
  // 200 workers_api-response-null-result; 4XX workers_api-response-common-failure.
  'worker-script-delete-worker': { success: nullResult, failure: commonFailure },

  // GET …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/content
  // 200 the script's content (not JSON); 4XX workers_api-response-common-failure.
  'namespace-worker-get-script-content': { failure: commonFailure },

  // POST …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/assets-upload-session
  // 200 workers_create-assets-upload-session-response; 4XX workers_api-response-common-failure.
  'namespace-worker-script-update-create-assets-upload-session': {
    success: succeeded(assetsUploadSession),
    failure: commonFailure,
  },

  // POST /accounts/{account_id}/workers/scripts/{script_name}/assets-upload-session
  // 200 workers_create-assets-upload-session-response; 4XX inline (success true|false, result null).
  'worker-script-update-create-assets-upload-session': {
    success: succeeded(assetsUploadSession),
    failure: failureSuccessEither,
  },

  // POST /accounts/{account_id}/workers/assets/upload
  // 201 workers_completed-upload-assets-response (result: { jwt }); 202 workers_upload-assets-response
  // (the platform completes every upload: 201); 4XX workers_api-response-common-failure.
  'worker-assets-upload': {
    success: succeeded({ type: 'object', properties: { jwt: { type: 'string' } } }),
    successStatus: 201,
    failure: commonFailure,
  },

  // GET …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/secrets
  // 200 workers_api-response-common with result (required): workers_secret[]; 4XX workers_api-response-common-failure.
  // (Named namespace-worker-get-script-secrets in 2024; that id is now GET …/secrets/{secret_name}.)
  'namespace-worker-list-script-secrets': {
    success: succeeded({ type: 'array', items: secret }, true),
    failure: commonFailure,
  },

  // GET /accounts/{account_id}/workers/scripts/{script_name}/secrets
  // 200 workers_api-response-common with result: workers_secret[]; 4XX workers_api-response-common-failure.
  'worker-list-script-secrets': { success: succeeded({ type: 'array', items: secret }), failure: commonFailure },

  // PUT …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/secrets
  // 200 workers_api-response-common with result (required): workers_secret; 4XX workers_api-response-common-failure.
  'namespace-worker-put-script-secrets': { success: succeeded(secret, true), failure: commonFailure },

  // PUT /accounts/{account_id}/workers/scripts/{script_name}/secrets
  // 200 workers_api-response-common with result: workers_secret; 4XX workers_api-response-common-failure.
  'worker-put-script-secret': { success: succeeded(secret), failure: commonFailure },

  // DELETE …/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/secrets/{secret_name}
  // 200 workers_api-response-null-result; 4XX workers_api-response-common-failure.
  'namespace-worker-delete-script-secret': { success: nullResult, failure: commonFailure },

  // DELETE /accounts/{account_id}/workers/scripts/{script_name}/secrets/{secret_name}
  // 200 workers_api-response-null-result; 4XX workers_api-response-common-failure.
  'worker-delete-script-secret': { success: nullResult, failure: commonFailure },

  // GET /accounts/{account_id}/workers/scripts/{script_name}/schedules
  // 200 workers_api-response-common with result (required): { schedules: workers_schedule[] };
  // 4XX workers_api-response-common-failure.
  'worker-cron-trigger-get-cron-triggers': { success: succeeded(schedules, true), failure: commonFailure },

  // PUT /accounts/{account_id}/workers/scripts/{script_name}/schedules
  // 200 as the GET; 4XX workers_api-response-common-failure.
  'worker-cron-trigger-update-cron-triggers': { success: succeeded(schedules, true), failure: commonFailure },

  // POST /accounts/{account_id}/workers/scripts/{script_name}/tails
  // 200 workers_api-response-common with result (required): workers_tail; 4XX workers_api-response-common-failure.
  'worker-tail-logs-start-tail': { success: succeeded(tail, true), failure: commonFailure },

  // DELETE /accounts/{account_id}/workers/scripts/{script_name}/tails/{id}
  // 200 workers_api-response-common; 4XX workers_api-response-common-failure.
  'worker-tail-logs-delete-tail': { success: succeeded(), failure: commonFailure },

  // GET /accounts/{account_id}/workers/scripts/{script_name}/settings
  // 200 workers_script-and-version-settings-response (result, required: workers_script-and-version-settings-item);
  // 4XX workers_api-response-common-failure.
  'worker-script-get-settings': { success: succeeded(scriptAndVersionSettings, true), failure: commonFailure },

  // GET /user/tokens/verify
  // 200 iam_token_verify_response_single_segment (result: { id (iam_token_identifier, ≤ 32), status
  // (iam_token_status) required; expires_on, not_before }); 4XX iam_api-response-common-failure.
  'user-api-tokens-verify-token': {
    success: succeeded({
      type: 'object',
      required: ['id', 'status'],
      properties: {
        id: { type: 'string', maxLength: 32 },
        status: { type: 'string', enum: ['active', 'disabled', 'expired'] },
        expires_on: dateTime,
        not_before: dateTime,
      },
    }),
    failure: commonFailure,
  },

  // GET /user
  // 200 iam_single_user_response (allOf iam_api-response-single, result: object); 4XX iam_api-response-common-failure.
  'user-user-details': { success: succeeded({ type: 'object' }), failure: commonFailure },

  // GET /accounts
  // 200 iam_response_collection_accounts (result: iam_account[], result_info: iam_result_info);
  // 4XX iam_api-response-common-failure.
  'accounts-list-accounts': {
    success: succeeded({ type: 'array', items: account }, false, { result_info: resultInfo }),
    failure: commonFailure,
  },

  // GET /memberships
  // 200 oneOf iam_collection_membership_response / iam_collection_membership_response_with_policies
  // (result: iam_membership[] / iam_membership-with-policies[]); 4XX iam_api-response-common-failure.
  // The two accept the same documents (every property optional, objects open: the second only adds
  // `policies`), so a strict oneOf would refuse every answer: restated as the one schema both read as.
  "user'-s-account-memberships-list-memberships": {
    success: succeeded({ type: 'array', items: membership }, false, { result_info: resultInfo }),
    failure: commonFailure,
  },

  // GET /accounts/{account_id}/storage/kv/namespaces
  // 200 allOf workers-kv_api-response-collection (workers-kv_api-response-common, result_info:
  // workers-kv_result_info) with result: workers-kv_namespace[]; 4XX workers-kv_api-response-common-failure.
  'workers-kv-namespace-list-namespaces': {
    success: kvSucceeded({ type: 'array', items: kvNamespace }, { result_info: kvResultInfo }),
    failure: kvFailure,
  },

  // POST /accounts/{account_id}/storage/kv/namespaces
  // 200 allOf workers-kv_api-response-common with result: workers-kv_namespace;
  // 4XX workers-kv_api-response-common-failure.
  'workers-kv-namespace-create-a-namespace': { success: kvSucceeded(kvNamespace), failure: kvFailure },

  // GET /accounts/{account_id}/d1/database (the API reference's older links name the D1 operations
  // cloudflare-d1-…: 2026-07 names them d1-…)
  // 200 allOf d1_api-response-common with result: d1_database-response[] and an inline result_info
  // (count, page, per_page, total_count: numbers, as workers-kv_result_info);
  // 4XX d1_api-response-common-failure.
  // d1_api-response-common's own `result` is `{ type: object }`, which no array is, so a strict allOf
  // would refuse every list, Cloudflare's own included: restated with the operation's `result` alone.
  'd1-list-databases': {
    success: d1Succeeded({ type: 'array', items: d1DatabaseResponse }, { result_info: kvResultInfo }),
    failure: d1Failure,
  },

  // GET /accounts/{account_id}/d1/database/{database_id} (a name is taken for the id too)
  // 200 allOf d1_api-response-common with result: d1_database-details-response;
  // 4XX d1_api-response-common-failure.
  'd1-get-database': { success: d1Succeeded(d1DatabaseDetails), failure: d1Failure },

  // POST /accounts/{account_id}/d1/database
  // 200 (the only 2xx documented) as the GET; 4XX d1_api-response-common-failure.
  'd1-create-database': { success: d1Succeeded(d1DatabaseDetails), failure: d1Failure },
} satisfies Record<string, OperationSchemas>

export type OperationId = keyof typeof operations

/** The failure envelope any operation answers, for answers that belong to none (an unknown path). */
export const anyFailure: Schema = commonFailure
