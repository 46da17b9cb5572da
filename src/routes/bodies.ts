import { MAX_LABEL_LENGTH } from '../accounts/tokens'
import { plainObject } from '../core/schema'
import {
  array,
  check,
  integer,
  number,
  fallback,
  looseObject,
  maxLength,
  minLength,
  nullable,
  nullish,
  object,
  optional,
  pipe,
  record,
  regex,
  string,
  trim,
  union,
} from 'valibot'

// The JSON bodies the API takes, as schemas: each names its own fields in its errors (written
// `{field}`, filled in with the field's path by parseInput). Settings are settings-input.ts's.

const NEEDS_CODE = 'The JSON body needs a "script" string, or "files" for a project.'

/** A file of a JSON project: its text, or `{ "base64": "…" }` for a binary file. */
const fileContent = union(
  [string(), object({ base64: string() })],
  '{field} must be text, or { "base64": "…" } for a binary file.',
)

/**
 * A JSON upload's code: `{ "script", "language"? }` or `{ "files", "entry"? }`, and a `label`. A
 * label or language that is not text is ignored, as it always was; the settings beside them are
 * read by settings-input.ts.
 */
export const deployJsonBody = pipe(
  looseObject(
    {
      script: optional(string(NEEDS_CODE)),
      files: optional(plainObject(record(string(), fileContent), '{field} must map paths to contents.')),
      entry: optional(string('{field} must be a path.')),
      language: fallback(optional(string()), undefined),
      label: fallback(optional(string()), undefined),
    },
    NEEDS_CODE,
  ),
  check((body) => body.script !== undefined || body.files !== undefined, NEEDS_CODE),
)

const NAME_A_DEPLOYMENT = 'Send { "deployment": "<workerId>" } naming one of the worker’s deployments.'

/** `POST /api/workers/:name/promote` and `/rollback`. */
export const promoteBody = object({ deployment: string(NAME_A_DEPLOYMENT) }, NAME_A_DEPLOYMENT)

const NAME_A_CRON = 'Send { "cron": "<one of the worker’s crons>" }, or no body for the first.'

/** `POST /api/workers/:name/cron/run`: which of the worker's crons to run (default: the first). */
export const cronRunBody = nullish(object({ cron: optional(string(NAME_A_CRON)) }, NAME_A_CRON), {})

const GIVE_A_REASON = 'Send { "reason": "…" }: why, in at most 300 characters (its owner sees it).'

/** `POST /api/admin/workers/:name/suspend`: why (shown to the worker's owner). */
export const suspendBody = object(
  { reason: pipe(string(GIVE_A_REASON), trim(), minLength(1, GIVE_A_REASON), maxLength(300, GIVE_A_REASON)) },
  GIVE_A_REASON,
)

const ROLLOUT = 'Send { "deployment": "<a retained Worker ID>", "percent": 1–99 }.'

/** `POST /api/workers/:name/rollout`: which retained deployment, to what share of visitors. */
export const rolloutBody = object({ deployment: string(ROLLOUT), percent: number(ROLLOUT) }, ROLLOUT)

const BUDGET =
  'Send { "requestsPerDay": <a whole number, 0 for no limit>, "cpuMsPerDay": <likewise> } (either or both), null for the platform’s default.'

/** `POST /api/admin/workers/:name/budget`: the fields sent change, the others stay. */
export const budgetBody = pipe(
  object(
    { requestsPerDay: optional(nullable(number(BUDGET))), cpuMsPerDay: optional(nullable(number(BUDGET))) },
    BUDGET,
  ),
  check((body) => body.requestsPerDay !== undefined || body.cpuMsPerDay !== undefined, BUDGET),
)

const ACCOUNT_BUDGET =
  'Send { "requestsPerDay": <a whole number, 0: no limit> } or { "requestsPerDay": null } for the default.'

/** `POST /api/admin/accounts/:accountId/budget`: the account's daily request budget, or null for the default. */
export const accountBudgetBody = object({ requestsPerDay: nullable(number(ACCOUNT_BUDGET)) }, ACCOUNT_BUDGET)

const CONFIRM_COUNT = 'Send { "confirm": <the number of workers GET /api/admin/tags/:tag listed> }.'

/** `POST /api/admin/tags/:tag/delete`: the count of workers the caller saw and confirms. */
export const confirmBody = object({ confirm: pipe(number(CONFIRM_COUNT), integer(CONFIRM_COUNT)) }, CONFIRM_COUNT)

const NAME_A_HOSTNAME = 'Send { "hostname": "shop.example.com" }.'

/** `POST /api/workers/:name/domains`: the hostname to add (its rules are checked by domains/hostnames.ts). */
export const domainBody = object(
  { hostname: pipe(string(NAME_A_HOSTNAME), maxLength(300, NAME_A_HOSTNAME)) },
  NAME_A_HOSTNAME,
)

const NAME_IT = `{field} must be a name of 1 to ${MAX_LABEL_LENGTH} characters.`
/** A name a person gives (an account, a token): printable, short. */
const label = pipe(
  string(NAME_IT),
  trim(),
  minLength(1, NAME_IT),
  maxLength(MAX_LABEL_LENGTH, NAME_IT),
  regex(/^[^\p{C}]+$/u, NAME_IT),
)

/** `POST /api/accounts`: the new account's name. */
export const newAccountBody = object({ name: label }, 'Send { "name": "<your account’s name>" }.')

/** `POST /api/account/tokens`: what the new token is for. */
export const newTokenBody = object({ name: label }, 'Send { "name": "<what the token is for>" }.')

const PROVE_THE_WORKER = 'Send { "token": "<the worker’s deploy token>" } to prove the worker.'

/** `POST /api/workers/:name/account`: the worker's own credential, beside the account's API token. */
export const moveBody = object({ token: string(PROVE_THE_WORKER) }, PROVE_THE_WORKER)

/** `wrangler secret put` / the SDK: one secret of a script (Cloudflare's body; only secret_text is a secret here). */
export const secretBody = looseObject({
  name: pipe(string('"name" must be the secret\'s name.'), minLength(1, '"name" must be the secret\'s name.')),
  text: string('"text" must be the secret\'s value, a string.'),
  type: optional(
    pipe(
      string(),
      check((type) => type === 'secret_text', 'Only "secret_text" secrets are kept here.'),
    ),
  ),
})

/** `wrangler secret bulk`: `{ secrets: { NAME: { name, text, type } | null } }`, null deleting one (a merge patch). */
export const secretsBulkBody = looseObject({
  secrets: record(string(), nullable(secretBody), '"secrets" maps each secret\'s name to { name, text } or null.'),
})

/** The schedules API's body: the cron triggers as a list of { cron } (an empty list: none). */
export const schedulesBody = array(
  looseObject({ cron: string('Each schedule is { "cron": "<expression>" }.') }),
  'The body is a list of { "cron": "<expression>" }.',
)
