import type { FC } from 'hono/jsx'
import { formatTime } from '../lib/format'
import { OWNER_EVENTS_KEPT, type OwnerEvent } from '../names/owner-changes'

/**
 * The owner's history on the worker page, shown to a signed-in owner only: who rotated the deploy
 * token, moved the worker into an account or revoked one of its account's tokens, newest first.
 */
export const OwnerHistory: FC<{ events: OwnerEvent[] }> = ({ events }) => (
  <>
    <h2 id="owner-history-heading">Tokens and account</h2>
    <div class="card" aria-labelledby="owner-history-heading" role="region">
      {events.length === 0 ? (
        <p class="hint">No token has been rotated or revoked, and the worker has not moved.</p>
      ) : (
        <ul class="owner-history">
          {[...events].reverse().map((event) => (
            <li>
              <time datetime={event.at}>{formatTime(event.at)}</time> {event.message}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">
        The last {OWNER_EVENTS_KEPT} changes, also in the API: <code>GET /api/workers/…/history</code>.
      </p>
    </div>
  </>
)
