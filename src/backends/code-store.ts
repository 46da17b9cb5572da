import { array, looseObject, nullable, number, optional, picklist, string, type GenericSchema } from 'valibot'
import { encodeText } from '../lib/encoding'
import type { BundleModule, ModuleType, WorkerBundle } from '../core/model'
import { parseStoredJson, StoredDataError } from '../core/schema'
import { sealedSecretsSchema, type SealedSecrets } from '../names/secrets'

/**
 * What dynamic-workers keeps under a Worker ID, written once at deploy (IDs are immutable) and
 * deleted with the code: the bundle, the worker's name, and the deployment's sealed secrets.
 */
export interface StoredCode {
  name: string
  bundle: WorkerBundle
  /**
   * The deployment's secrets as sealed at deploy (null: it has none). Undefined when they are not
   * kept beside the code — deployments stored before this format, or secrets not encrypted (no
   * SECRETS_KEY) — and the name's Durable Object is to be asked.
   */
  secrets?: SealedSecrets | null
}

interface Header {
  name: string
  mainModule: string
  modules: { name: string; type: BundleModule['type']; bytes: number }[]
  secrets?: SealedSecrets | null
}

const MODULE_TYPES = ['esm', 'service-worker', 'text', 'json', 'wasm'] as const satisfies readonly ModuleType[]

/** The framed format's header (version 1). */
const headerSchema: GenericSchema<Header> = looseObject({
  name: string(),
  mainModule: string(),
  modules: array(looseObject({ name: string(), type: picklist(MODULE_TYPES), bytes: number() })),
  secrets: optional(nullable(sealedSecretsSchema)),
})

/** The format before it: one JSON document, the modules' sources inside. */
const documentSchema: GenericSchema<WorkerBundle & { name: string }> = looseObject({
  name: string(),
  mainModule: string(),
  modules: array(looseObject({ name: string(), type: picklist(MODULE_TYPES), content: string() })),
})

// "WFP" + format version 1. Never "{" (0x7b), which begins the JSON documents stored before it.
const MAGIC = [0x57, 0x46, 0x50, 0x01]
const JSON_DOCUMENT = 0x7b
// Magic, then the header's length as a little-endian uint32.
const PREFIX_BYTES = MAGIC.length + 4

/**
 * Frames the stored code so that loading it parses only a small header: each module's source
 * follows as raw UTF-8 and is decoded on its own, rather than one JSON document holding all of
 * them being parsed whole (a 1 MB bundle is a 1 MB JSON string with every quote and newline escaped).
 */
export function encodeStoredCode({ name, bundle, secrets }: StoredCode): Uint8Array {
  const contents = bundle.modules.map((module) => encodeText(module.content))
  const header: Header = {
    name,
    mainModule: bundle.mainModule,
    modules: bundle.modules.map((module, i) => ({ name: module.name, type: module.type, bytes: contents[i]!.length })),
    ...(secrets !== undefined ? { secrets } : {}),
  }
  const headerBytes = encodeText(JSON.stringify(header))
  const total = PREFIX_BYTES + headerBytes.length + contents.reduce((sum, content) => sum + content.length, 0)
  const framed = new Uint8Array(total)
  framed.set(MAGIC)
  new DataView(framed.buffer).setUint32(MAGIC.length, headerBytes.length, true)
  framed.set(headerBytes, PREFIX_BYTES)
  let offset = PREFIX_BYTES + headerBytes.length
  for (const content of contents) {
    framed.set(content, offset)
    offset += content.length
  }
  return framed
}

/** Reads what `encodeStoredCode` wrote, or the JSON document deployments were stored as before it. */
export function decodeStoredCode(buffer: ArrayBuffer): StoredCode {
  const bytes = new Uint8Array(buffer)
  const decoder = new TextDecoder()
  if (bytes[0] === JSON_DOCUMENT) {
    // The older format: { name, mainModule, modules }, secrets only in the name's object.
    const { name, mainModule, modules } = parseStoredJson(documentSchema, decoder.decode(bytes), 'The stored code')
    return { name, bundle: { mainModule, modules } }
  }
  if (bytes.length < PREFIX_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new StoredDataError('The stored code is in an unknown format.')
  }
  const headerLength = new DataView(buffer).getUint32(MAGIC.length, true)
  let offset = PREFIX_BYTES + headerLength
  const header = parseStoredJson(headerSchema, decoder.decode(bytes.subarray(PREFIX_BYTES, offset)), 'The stored code')
  const modules = header.modules.map(({ name, type, bytes: length }) => {
    const content = decoder.decode(bytes.subarray(offset, offset + length))
    offset += length
    return { name, type, content }
  })
  if (offset > bytes.length) throw new StoredDataError('The stored code is shorter than its header says.')
  const bundle = { mainModule: header.mainModule, modules }
  return header.secrets !== undefined
    ? { name: header.name, bundle, secrets: header.secrets }
    : { name: header.name, bundle }
}
