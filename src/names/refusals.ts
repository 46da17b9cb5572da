import { CredentialError, PlatformError, unknownToken } from '../core/errors'
import type { Refusal } from './ownership'

/** How a caller gives a worker's deploy token, named in every refusal that asks for it. */
export const HOW_TO_GIVE_THE_TOKEN = '(form field "token" or "Authorization: Bearer <token>")'

/** Why a caller may not act on a name, in words that fit what they tried to do. */
export function refusal(
  reason: Refusal,
  action: 'change' | 'read' | 'run',
  what: 'logs' | 'code' | 'owner history' | 'settings' | 'audit log' = 'logs',
): PlatformError {
  switch (reason) {
    case 'name_taken':
      return new PlatformError('name_taken', 'This name was just claimed by another upload. Choose another name.')
    case 'token_required':
      // A read without any credential is 401 (send one); a change without one is 403, as before accounts.
      if (action === 'read') {
        return new PlatformError(
          'unauthorized',
          `Only the owner can read this worker's ${what}: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
          { 'WWW-Authenticate': 'Bearer' },
        )
      }
      return new PlatformError(
        'forbidden',
        action === 'run'
          ? `Only the owner can run this worker's schedule: give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`
          : `This name is taken. To change it, give its deploy token ${HOW_TO_GIVE_THE_TOKEN}.`,
      )
    case 'token_invalid':
      return unknownToken()
    case 'other_account':
      return new CredentialError('forbidden', 'This worker does not belong to the account of that API token.')
  }
}
