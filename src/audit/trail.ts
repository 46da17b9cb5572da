/** The one trail object (audit-trail.do.ts): every entry of the platform, for the operator. */
export const TRAIL_OBJECT = 'platform'

const DAY_MS = 24 * 60 * 60 * 1000

/** The oldest time an entry may have at `now` and still be kept (AUDIT_DAYS_KEPT). */
export function auditKeptSince(daysKept: number, now: number): string {
  return new Date(now - daysKept * DAY_MS).toISOString()
}
