import { randomBytes } from '../lib/crypto'
import { encodeText, fromBase64, toBase64 } from '../lib/encoding'
import { boolean, looseObject, optional, record, string, type GenericSchema } from 'valibot'
import { parseStoredJson } from '../core/schema'

/**
 * Secret values of a deployment, as stored in the name's Durable Object (never in KV). With
 * SECRETS_KEY set they are AES-GCM encrypted with a key derived from it; without it (local
 * development) they rest in the object's storage as they are, which Cloudflare encrypts at rest.
 */
export interface SealedSecrets {
  encrypted: boolean
  iv?: string
  data: string
}

/** Sealed secrets as the name's object (or the code store) keeps them: one shape, encrypted or not. */
export const sealedSecretsSchema: GenericSchema<SealedSecrets> = looseObject({
  encrypted: boolean(),
  iv: optional(string()),
  data: string(),
})

/** What a seal holds once opened: names to values. */
const secretValuesSchema = record(string(), string())

export async function seal(values: Record<string, string>, secretsKey: string | undefined): Promise<SealedSecrets> {
  const plain = JSON.stringify(values)
  if (!secretsKey) return { encrypted: false, data: plain }
  const iv = randomBytes(12)
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyFor(secretsKey), encodeText(plain))
  return { encrypted: true, iv: toBase64(iv), data: toBase64(new Uint8Array(data)) }
}

export async function unseal(
  sealed: SealedSecrets | null,
  secretsKey: string | undefined,
): Promise<Record<string, string>> {
  if (!sealed) return {}
  if (!sealed.encrypted) return parseStoredJson(secretValuesSchema, sealed.data, 'The stored secrets')
  if (!secretsKey) throw new Error('Secrets were encrypted with SECRETS_KEY, which is no longer set.')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(sealed.iv ?? '') },
    await keyFor(secretsKey),
    fromBase64(sealed.data),
  )
  return parseStoredJson(secretValuesSchema, new TextDecoder().decode(plain), 'The decrypted secrets')
}

// An isolate has one SECRETS_KEY: derive its AES key once, not on every deployment's cold start.
let derived: { secretsKey: string; key: Promise<CryptoKey> } | undefined

function keyFor(secretsKey: string): Promise<CryptoKey> {
  if (derived?.secretsKey !== secretsKey) derived = { secretsKey, key: deriveKey(secretsKey) }
  return derived.key
}

async function deriveKey(secretsKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encodeText(secretsKey), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encodeText('user-worker-secrets') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}
