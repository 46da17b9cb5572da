import { workerNotFound } from '../core/errors'
import { assertValidName } from '../core/names'
import type { NameChanges } from '../names/changes'
import type { Proof } from '../names/ownership'
import { refusal } from '../names/refusals'
import type { Suspensions } from '../operators/suspensions'
import type { AuditEvent } from './audit-events'
import type { AuditTrail, TrailQuery } from './audit-trail.do'
import { TRAIL_OBJECT } from './trail'

/**
 * Reading the audit log: a worker's, from its name's object (the owner, or an admin), and the
 * platform-wide trail (the operator only). A page at a time, newest first.
 */
export class AuditReader {
  constructor(
    private readonly parts: {
      changes: Pick<NameChanges, 'claim' | 'credential'>
      suspensions: Pick<Suspensions, 'assertAdmin'>
      trail: DurableObjectNamespace<AuditTrail>
    },
  ) {}

  /** The worker's entries before entry `before` (absent: the newest). */
  async ofWorker(name: string, proof: Proof, before?: number): Promise<AuditEvent[]> {
    const { changes } = this.parts
    const claim = changes.claim(assertValidName(name))
    const read = await claim.auditLog(await changes.credential(proof), before)
    if (!read.ok) throw refusal(read.reason, 'read', 'audit log')
    if (!read.found) throw workerNotFound(name)
    return read.events.map((event) => ({ ...event, name }))
  }

  /** A page of the platform-wide trail, for the operator. */
  async trail(proof: Proof, query: TrailQuery): Promise<AuditEvent[]> {
    await this.parts.suspensions.assertAdmin(proof)
    return this.parts.trail.getByName(TRAIL_OBJECT).list(query)
  }
}
