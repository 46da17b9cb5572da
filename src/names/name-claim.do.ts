import { DurableObject } from 'cloudflare:workers'
import { configFor } from '../core/config'
import { LogStore } from '../logs/log-store'
import type { CronRun, LogLine, StoredLogLine, WorkerRecord } from '../core/model'
import { authorize, hashToken, newOwner, newOwnerId, type Credential, type Owner } from './ownership'
import type { CronJob, ScheduleView } from '../cron/schedules'
import { NameCrons } from './name-crons'
import { AuditJournal } from '../audit/audit-journal'
import { describeChange, type AuditEntry, type AuditEvent, type AuditSource } from '../audit/audit-events'
import { LogFollowers, type FollowRefusal } from '../logs/log-followers'
import { LiveTails } from '../logs/live-tails'
import type { TailFilter } from '../logs/tail-filters'
import type { Invocation } from '../logs/invocations'
import { toLogLines } from '../logs/logs'
import { OWNER_EVENTS_KEY, OwnerChanges, type OwnerEvent } from './owner-changes'
import { LeaseQueue, withAccount } from './lease'
import type { Change, Committed, Lease, LeaseRefusal, OwnerOnly } from './lease'
import { ClaimUpkeep } from './claim-upkeep'
import { afterCommit, afterDelete, OutboxStore, withUpload } from './outbox'
import type { DomainRelease, FollowUp } from './outbox'
import { Reveals } from './reveals'
import { NameSessions, type NameSession } from './sessions'
import { ownerAccess, secretsKey, storedOwner, storedRecord, storedSecrets } from './claim-storage'
import type { SealedSecrets } from './secrets'
import { ObjectIndex } from '../objects/object-index'
import type { ObjectKey } from '../objects/object-key'
import { DomainIndex, DOMAINS_KEY, type DomainChange, type DomainList } from '../domains/domain-index'

/**
 * One object per worker name (SQLite-backed): the authority on who owns the name, what it serves,
 * its history and secrets. KV has no compare-and-set, so every change to a name — the first claim,
 * each deploy, rollback and delete — takes this object's lease: changes to one name run one at a
 * time. KV is the fast read path for dispatch and is brought in line through the outbox.
 */
export class NameClaim extends DurableObject<Env> {
  /** The name's lock (see lease.ts). */
  private readonly leases = new LeaseQueue()
  /** The recent log lines (see logs/log-store.ts). */
  private readonly logs = new LogStore(this.ctx.storage)
  /** What this object owes KV and the backend (see outbox.ts). */
  private readonly outbox = new OutboxStore(this.ctx.storage)
  /** Deploy tokens waiting to be shown once (see reveals.ts). */
  private readonly reveals = new Reveals(this.ctx.storage, () => configFor(this.env).secretsKey)
  private readonly sessions = new NameSessions(this.ctx.storage)
  /** The current deployment's cron schedule and its last runs (see name-crons.ts). */
  private readonly cronJobs = new NameCrons(this.ctx.storage, this)
  private readonly crons = this.cronJobs.runs
  /** Every change, who made it and from where (see audit/audit-journal.ts). */
  private readonly audit = new AuditJournal(this.ctx.storage, this.env)
  /** Who follows the logs live now (see logs/log-followers.ts), and the tails of `wrangler tail` (logs/live-tails.ts). */
  private readonly followers = new LogFollowers()
  private readonly tails = new LiveTails(this.ctx)
  /** Token rotations and moves into an account (see owner-changes.ts). */
  private readonly owners = new OwnerChanges(
    this.ctx.storage,
    this.leases,
    (lines, id) => this.appendLogs(lines, id),
    (entries, source, id) => this.audit.record(entries, source, id),
  )

  /** The Durable Objects the worker's code has made (objects/object-index.ts), and its custom domains (domains/). */
  private readonly objects = new ObjectIndex(this.ctx.storage, this.env.TENANT_OBJECTS)
  private readonly domainIndex = new DomainIndex(this.ctx.storage)
  /** What its alarm does, and when it is due (see claim-upkeep.ts). */
  private readonly upkeep = new ClaimUpkeep({
    storage: this.ctx.storage,
    env: this.env,
    leases: this.leases,
    outbox: this.outbox,
    reveals: this.reveals,
    crons: this.cronJobs,
    tails: this.tails,
    audit: this.audit,
    logs: this.logs,
    objects: this.objects,
    current: () => this.current(),
  })

  /** The worker's custom domains, one added (within `max`) or removed first; for the owner (or an admin) only. */
  domains(credential: Credential, change?: DomainChange): Promise<OwnerOnly<DomainList & { ownerId: string }>> {
    return this.forOwner(credential, (record) => ({ ownerId: record.ownerId, ...this.domainIndex.change(change) }))
  }

  /** Records a change made outside the name's lease (a custom domain, once its object took it); owner or admin only. */
  recordChange(credential: Credential, entries: AuditEntry[], source: AuditSource): Promise<OwnerOnly<object>> {
    return this.forOwner(credential, (record) => {
      this.audit.record(entries, source, record.ownerId)
      return {}
    })
  }

  /** The worker's audit log, newest first (before entry `before`), for the owner (or an admin) only. */
  auditLog(credential: Credential, before?: number): Promise<OwnerOnly<{ events: AuditEvent[] }>> {
    return this.forOwner(credential, (record) => ({ events: this.audit.list(record.ownerId, before) }))
  }

  /** Indexes an object at its first touch, if its owner holds the name and has room for one more (TENANT_OBJECTS_MAX). */
  async indexObject(key: ObjectKey): Promise<'indexed' | 'gone' | 'full'> {
    if (!(await this.holds(key.ownerId))) return 'gone'
    return (await this.objects.add(key, configFor(this.env).storageQuotas.objectsMax)) ? 'indexed' : 'full'
  }

  /** How many objects each namespace of the owner's worker holds, for its page. */
  objectCounts(ownerId: string): Promise<Record<string, number>> {
    return this.objects.counts(ownerId)
  }

  /** Deletes the objects of namespaces a deploy's migrations delete (`deleted_classes`). */
  destroyObjects(ownerId: string, namespaces: string[]): Promise<void> {
    return this.objects.destroy(ownerId, namespaces)
  }

  /** Whether `ownerId` holds the name now: the generation check of everything that writes for it (core/generation.ts). */
  async holds(ownerId: string): Promise<boolean> {
    return (await this.owner())?.ownerId === ownerId
  }

  /**
   * Appends output of the worker's invocations, keeping the newest LOG_LINES_KEPT lines. `ownerId`:
   * the generation the invocations ran for; lines of one that lost the name are dropped (a deleted
   * worker's late events must neither bring storage back for a free name nor reach a new owner).
   */
  async appendLogs(lines: LogLine[], ownerId: string): Promise<void> {
    if (!(await this.holds(ownerId))) return
    this.logs.append(lines)
  }

  /** What the worker's tail saw: kept as log lines, and sent to its live tails (as appendLogs, for `ownerId`). */
  async appendInvocations(invocations: Invocation[], ownerId: string): Promise<void> {
    if (!(await this.holds(ownerId))) return
    this.logs.append(toLogLines(invocations))
    this.tails.send(invocations)
  }

  /** A new live tail for the owner (or an admin); null when the worker has as many as it may. */
  openTail(credential: Credential, filters: TailFilter[], self: string) {
    return this.forOwner(credential, async () => {
      const tail = await this.tails.open(filters, self, Date.now())
      if (tail) await this.armAlarm(tail.expiresAt)
      return { tail }
    })
  }

  closeTail(credential: Credential, id: string): Promise<OwnerOnly<{ closed: boolean }>> {
    return this.forOwner(credential, async () => ({ closed: await this.tails.close(id) }))
  }

  /** A tail's WebSocket: the only request this object takes over HTTP (logs/live-tails.ts). */
  override fetch(request: Request): Promise<Response> {
    return this.tails.connect(request, Date.now())
  }

  // wrangler's only message is `{ debug }`; a closing tail is answered (live-tails.ts).
  override webSocketMessage(): void {}
  override webSocketClose(socket: WebSocket, code: number): void {
    LiveTails.closed(socket, code)
  }

  /** The recent lines (after line `after`), oldest first, with their record (how long capture runs); owner or admin only. */
  async readLogs(
    credential: Credential,
    after = 0,
    /** A live follower's poll: one no longer counted (silent too long) reads nothing, and ends its follow. */
    followId?: string,
  ): Promise<OwnerOnly<{ lines: StoredLogLine[]; record: WorkerRecord }>> {
    if (followId !== undefined && !this.followers.seen(followId, Date.now())) return { ok: true, found: false }
    return this.forOwner(credential, (record) => ({ lines: this.logs.after(after), record }))
  }

  /** Admits a live follower of the logs (the caller checked the credential), or says which cap refuses it. */
  admitFollower(followId: string, client: string): FollowRefusal | null {
    return this.followers.admit(followId, client, Date.now())
  }

  /** The record, for the owner (or an admin) only: whether the credential may read this worker's data. */
  access(credential: Credential): Promise<OwnerOnly<{ record: WorkerRecord }>> {
    return ownerAccess(this.ctx.storage, credential)
  }

  /** `use`'s result for the owner (or an admin) only. */
  private async forOwner<T extends object>(
    credential: Credential,
    use: (record: WorkerRecord) => T | Promise<T>,
  ): Promise<OwnerOnly<T>> {
    const access = await this.access(credential)
    return access.ok && access.found ? { ok: true, found: true, ...(await use(access.record)) } : access
  }

  /** The current record: strongly consistent, unlike KV. */
  async current(): Promise<WorkerRecord | null> {
    return storedRecord(this.ctx.storage)
  }

  /**
   * Waits for the name's lock, then checks the credential; on success the caller holds the lease.
   * For a deploy, `uploading` names the Worker ID it is about to upload — unless a commit claims
   * it, its code is deleted once the lease is long gone (the deploying Worker may have died
   * mid-upload) — and `startedAt` when the request began.
   */
  async acquire(
    credential: Credential,
    deploy: { uploading: string; startedAt: number } | undefined,
    source: AuditSource,
  ): Promise<Lease | LeaseRefusal> {
    const arrivedAt = Date.now()

    const release = await this.leases.turn()

    const owner = await this.owner()
    // An upload that started while the name was still free lost a race (409), it did not try to
    // take a name it knew was taken (403): upload checks run before the lock, so racers often
    // arrive here only after the winner committed.
    const claimedBefore = owner !== undefined && Date.parse(owner.claimedAt) <= (deploy?.startedAt ?? arrivedAt)
    const refusal = await authorize(owner, credential, claimedBefore)
    if (refusal) {
      release()
      return { ok: false, reason: refusal }
    }
    const ownerId = owner?.ownerId ?? newOwnerId()
    // A free name claimed with an API token is its account's from the first commit.
    const accountId = owner ? undefined : credential.accountId
    const leaseId = this.leases.hold(ownerId, release, source, accountId)
    if (deploy) {
      await this.outbox.update((outbox) => withUpload(outbox, deploy.uploading, Date.now()))
      // Armed now: if the deploying Worker dies, nothing else would wake this object up.
      await this.armAlarm()
    }
    return { ok: true, leaseId, ownerId, ...(accountId ? { accountId } : {}), current: await this.current() }
  }

  /**
   * Records the new state of the name in one transaction: the record, the deployment's sealed
   * secrets, the owner (and its token) when a deploy claims a free name; forgets the secrets of
   * expired deployments and queues their code for deletion. The lease stays held until `release`,
   * so the holder can bring KV in line before the next change starts.
   */
  async commit(leaseId: string, change: Change): Promise<Committed> {
    const lease = this.leases.require(leaseId)
    const storage = this.ctx.storage
    const before = await this.current()
    let owner = await this.owner()
    if (!owner && !change.claim) throw new Error('Only a deploy can claim a free name.')
    let committed: Committed = {}
    if (!owner) {
      const { accountId } = lease
      const minted = await newOwner(lease.ownerId, change.record.updatedAt, accountId)
      owner = minted.owner
      const revealId = await this.reveals.keep(minted.token)
      committed = { token: minted.token, revealId, ...(accountId ? { accountId } : {}) }
    }
    const record = withAccount(change.record, owner.accountId)
    const outbox = afterCommit(await this.outbox.get(), record, change.expired, Date.now())
    await storage.transaction(async (txn) => {
      if (change.secrets) await txn.put(secretsKey(change.secrets.workerId), change.secrets.sealed)
      if (change.expired.length > 0) await txn.delete(change.expired.map(secretsKey))
      await txn.put('owner', owner)
      await txn.put('record', record)
      // Kept until the object's storage is given back: the alarm needs it to delete the mapping.
      await txn.put('name', record.name)
      await this.outbox.put(txn, outbox)
      this.audit.record(describeChange(before, record, change.secretsSet), lease.source, lease.ownerId)
    })
    await this.crons.plan(record, Date.now())
    if (record.suspended) await this.tails.end(Number.POSITIVE_INFINITY, 'The worker was suspended.')
    await this.armAlarm()
    return { ...committed, record }
  }

  /**
   * Frees the name: owner, record, secrets, pending reveals and logs are gone; the mapping's
   * removal and the deletion of every Worker ID it used are queued. The lease stays held until
   * `release`. Returns the account that owned the name, if one did (it stops listing it).
   */
  async commitDelete(leaseId: string): Promise<{ accountId?: string; domains: DomainRelease[] }> {
    const lease = this.leases.require(leaseId)
    const record = await this.current()
    const accountId = (await this.owner())?.accountId
    const outbox = afterDelete(await this.outbox.get(), record, Date.now(), this.domainIndex.list())
    const keys = [...(await this.ctx.storage.list({ prefix: 'secrets/' })).keys()]
    const reveals = await this.reveals.keys()
    await this.ctx.storage.transaction(async (txn) => {
      await txn.delete(['owner', 'record', OWNER_EVENTS_KEY, DOMAINS_KEY, ...keys, ...reveals])
      await this.outbox.put(txn, outbox)
      if (record) this.audit.deleted(record.name, lease.source, lease.ownerId)
    })
    this.logs.clear()
    await this.tails.end(Number.POSITIVE_INFINITY, 'The worker was deleted.')
    await this.crons.clear()
    await this.armAlarm()
    return { ...(accountId ? { accountId } : {}), domains: outbox.domains ?? [] }
  }

  /** A new deploy token, a move into an account, an account's note (see owner-changes.ts). */
  rotateToken(credential: Credential, source: AuditSource): Promise<OwnerOnly<{ token: string }>> {
    return this.owners.rotateToken(credential, source)
  }

  joinAccount(
    credential: Credential,
    accountId: string,
    source: AuditSource,
  ): Promise<OwnerOnly<{ previous?: string }>> {
    return this.owners.joinAccount(credential, accountId, source)
  }

  noteForAccount(accountId: string, message: string): Promise<void> {
    return this.owners.noteForAccount(accountId, message)
  }

  /** The owner history (rotations, moves, revocations), for the owner (or an admin) only. */
  ownerEvents(credential: Credential): Promise<OwnerOnly<{ events: OwnerEvent[] }>> {
    return this.forOwner(credential, async () => ({ events: await this.owners.events() }))
  }

  /** Ends the lease after a commit: what the holder reports done of the outbox is struck off; the alarm does the rest. */
  async release(leaseId: string, done: FollowUp): Promise<void> {
    if (!this.leases.isHeld(leaseId)) return
    await this.settle(done)
    this.leases.end(leaseId)
    await this.armAlarm(done.mappingSynced ? undefined : Date.now())
  }

  /** Strikes off follow-ups someone did outside a lease (code deleted after the response). */
  settle(done: FollowUp): Promise<void> {
    return this.upkeep.settle(done)
  }

  /** Gives the lease back without changes (the deploy failed before its commit). */
  abort(leaseId: string): void {
    this.leases.end(leaseId)
  }

  /** The sealed secrets of one deployment (platform-internal: only this Worker can call the object). */
  async readSecrets(workerId: string): Promise<SealedSecrets | null> {
    return storedSecrets(this.ctx.storage, workerId)
  }

  /** Returns a freshly minted token once, for the page the upload form redirects to. */
  async takeReveal(revealId: string): Promise<string | null> {
    return this.reveals.take(revealId)
  }

  override async alarm(): Promise<void> {
    await this.drain(Date.now())
  }

  /** Does what is due at `now` (see claim-upkeep.ts). */
  drain(now: number): Promise<void> {
    return this.upkeep.drain(now)
  }

  /** The schedule of the current deployment (name-crons.ts); null for a free name. */
  readSchedule(): Promise<ScheduleView | null> {
    return this.cronJobs.view()
  }

  /** For "Run now": the current record and its sealed secrets, for the owner (or an admin) only. */
  prepareRun(credential: Credential): Promise<OwnerOnly<Omit<CronJob, 'cron' | 'scheduledTime' | 'trigger'>>> {
    return this.forOwner(credential, (record) => this.cronJobs.job(record))
  }

  recordCronRun(run: CronRun, note: LogLine | undefined, ownerId: string): Promise<void> {
    return this.cronJobs.recordRun(run, note, ownerId)
  }

  private armAlarm(at?: number): Promise<void> {
    return this.upkeep.arm(at)
  }

  /** Console sessions opened with the owner's current deploy token (see sessions.ts). */
  async openSession(token: string, sessionHash: string, now: number, ttlMs: number): Promise<boolean> {
    return this.sessions.open(await this.owner(), await hashToken(token), sessionHash, now, ttlMs)
  }

  async session(hash: string, now: number): Promise<NameSession | null> {
    return this.sessions.check(await this.owner(), hash, now)
  }

  endSession(hash: string): Promise<void> {
    return this.sessions.end(hash)
  }

  private owner(): Promise<Owner | undefined> {
    return storedOwner(this.ctx.storage)
  }
}
