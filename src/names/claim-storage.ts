import { nullish, optional, string } from 'valibot'
import type { WorkerRecord } from '../core/model'
import { storedRecordSchema } from '../core/model-schemas'
import { parseStored } from '../core/schema'
import { authorize, ownerSchema, type Credential, type Owner } from './ownership'
import type { OwnerOnly } from './lease'
import { sealedSecretsSchema, type SealedSecrets } from './secrets'

// What a name's Durable Object reads back from its own storage, checked against every shape it has
// written: a value no version wrote is a StoredDataError naming it, not a TypeError further on.

/** The name's current record, or null when it is free. */
export async function storedRecord(storage: DurableObjectStorage): Promise<WorkerRecord | null> {
  return parseStored(storedRecordSchema, (await storage.get('record')) ?? null, 'The name’s stored record')
}

/** Where the sealed secrets of one deployment are kept. */
export const secretsKey = (workerId: string) => `secrets/${workerId}`

/** The sealed secrets of one deployment, or null when it has none. */
export async function storedSecrets(storage: DurableObjectStorage, workerId: string): Promise<SealedSecrets | null> {
  const sealed = await storage.get(secretsKey(workerId))
  return parseStored(nullish(sealedSecretsSchema, null), sealed, `The sealed secrets of ${workerId}`)
}

/** The name's owner, absent while it is free. */
export async function storedOwner(storage: DurableObjectStorage): Promise<Owner | undefined> {
  return parseStored(optional(ownerSchema), await storage.get('owner'), 'The name’s stored owner')
}

/** The name this object stands for, once it has been told. */
export async function storedName(storage: DurableObjectStorage): Promise<string | undefined> {
  return parseStored(optional(string()), await storage.get('name'), 'The name’s stored name')
}

/** The stored record, for the owner (or an admin) only: whether the credential may read this worker's data. */
export async function ownerAccess(
  storage: DurableObjectStorage,
  credential: Credential,
): Promise<OwnerOnly<{ record: WorkerRecord }>> {
  const owner = await storedOwner(storage)
  const record = await storedRecord(storage)
  if (!owner || !record) return { ok: true, found: false }
  const refusal = await authorize(owner, credential, true)
  if (refusal) return { ok: false, reason: refusal }
  return { ok: true, found: true, record }
}
