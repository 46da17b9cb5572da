import { PLATFORM_NAME } from '../deploy/platform-module'
import { OBJECT_ID_HEADER } from './object-key'

/** The module of the Durable Object facade, added with the main module of storage/shim.ts; uploads may not use the name. */
export const OBJECTS_MODULE = 'platform-objects.js'

/** The method the platform calls on a hosted object when the alarm it set through the platform is due. */
export const ALARM_METHOD = '__platformAlarm'

/**
 * Durable Objects in the tenant's isolate. The namespace API is synchronous where Cloudflare's is
 * (idFromName, get), so ids and stubs are made here: an id from a name is its SHA-256, as 64 hex
 * digits (computed here: crypto.subtle has no synchronous digest); a stub sends fetch() and every
 * RPC call through the TenantObjects entrypoint to the object's host (objects/). A hosted class is
 * wrapped so that its alarms go through the host too: facets cannot set alarms of their own.
 */
export const OBJECTS_SOURCE = `// Provided by ${PLATFORM_NAME}; not part of your upload. Durable Objects: your classes, hosted by the platform.
const HEX_ID = /^[0-9a-f]{64}$/;
let constants;
// idFromName() is called per request with the same few names: their ids are kept (bounded).
const idsOfNames = new Map();

function sha256(text) {
  if (!constants) {
    const primes = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
    const fraction = (x) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
    constants = { k: primes.map((p) => fraction(Math.cbrt(p))), h: primes.slice(0, 8).map((p) => fraction(Math.sqrt(p))) };
  }
  const { k } = constants;
  const h = [...constants.h];
  const bytes = new TextEncoder().encode(text);
  const length = (bytes.length + 72) & ~63;
  const data = new Uint8Array(length);
  data.set(bytes);
  data[bytes.length] = 0x80;
  const view = new DataView(data.buffer);
  view.setUint32(length - 8, Math.floor(bytes.length / 2 ** 29));
  view.setUint32(length - 4, bytes.length * 8);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      w[i] = w[i - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[i - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10));
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
    }
    [a, b, c, d, e, f, g, hh].forEach((value, i) => (h[i] = (h[i] + value) >>> 0));
  }
  return h.map((value) => value.toString(16).padStart(8, "0")).join("");
}

export class DurableObjectId {
  #hex;
  constructor(hex, name) {
    this.#hex = hex;
    if (name !== undefined) this.name = name;
  }
  toString() {
    return this.#hex;
  }
  equals(other) {
    return other instanceof DurableObjectId && other.toString() === this.#hex;
  }
}

function stubOf(binding, id) {
  const hex = id.toString();
  const stub = {
    id,
    name: id.name,
    // As HTTP, not RPC: a WebSocket can come back.
    fetch(input, init) {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set("${OBJECT_ID_HEADER}", hex);
      return binding.fetch(new Request(request, { headers }));
    },
  };
  return new Proxy(stub, {
    get(target, key) {
      if (key in target || typeof key !== "string" || key === "then") return target[key];
      return (...args) => binding.callObject(hex, key, args);
    },
  });
}

export class DurableObjectNamespace {
  #binding;
  constructor(binding) {
    this.#binding = binding;
  }
  newUniqueId() {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    return new DurableObjectId([...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join(""));
  }
  idFromName(name) {
    const text = String(name);
    let hex = idsOfNames.get(text);
    if (hex === undefined) {
      hex = sha256(text);
      if (idsOfNames.size >= 1000) idsOfNames.delete(idsOfNames.keys().next().value);
      idsOfNames.set(text, hex);
    }
    return new DurableObjectId(hex, text);
  }
  idFromString(hex) {
    if (!HEX_ID.test(hex)) throw new TypeError("Invalid Durable Object ID: must be 64 hex digits.");
    return new DurableObjectId(hex);
  }
  get(id) {
    if (!(id instanceof DurableObjectId)) throw new TypeError("get() takes an id from this namespace.");
    return stubOf(this.#binding, id);
  }
  getByName(name) {
    return this.get(this.idFromName(name));
  }
  jurisdiction() {
    return this;
  }
}

// The host's alarm stands in for the object's own (which a facet may not set).
function alarmsThrough(ctx, binding) {
  const id = () => ctx.id.toString();
  Object.assign(ctx.storage, {
    setAlarm: async (time) => {
      await binding.setAlarm(id(), typeof time === "number" ? time : new Date(time).getTime());
    },
    getAlarm: () => binding.getAlarm(id()),
    deleteAlarm: async () => {
      await binding.deleteAlarm(id());
    },
  });
}

export function hosted(Base, binding, withEnv) {
  if (typeof Base !== "function") return Base;
  return class extends Base {
    constructor(ctx, env) {
      if (env?.[binding]) alarmsThrough(ctx, env[binding]);
      super(ctx, withEnv(env));
    }
    ${ALARM_METHOD}(info) {
      return typeof this.alarm === "function" ? this.alarm(info) : undefined;
    }
  };
}
`
