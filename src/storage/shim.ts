import type { BundleModule, StorageSettings, WorkerBundle } from '../core/model'
import { PLATFORM_NAME } from '../deploy/platform-module'
import { KV_SOURCE, STORAGE_KV_MODULE } from './kv-shim'
import { DB_BINDING, KV_BINDING } from './refs'
import { SETTLED_SOURCE } from './refusal'
import { CACHE_BINDING, CACHE_MODULE, CACHE_SOURCE, usesCaches } from '../cache/cache-shim'
import { OBJECTS_MODULE, OBJECTS_SOURCE } from '../objects/objects-shim'

export { STORAGE_KV_MODULE } from './kv-shim'

/** The module that wraps a worker's main module when it has env.KV or env.DB; uploads may not use these names. */
export const STORAGE_MAIN_MODULE = 'platform-main.js'
export const STORAGE_D1_MODULE = 'platform-d1.js'

/**
 * D1's API in the tenant's isolate. D1's prepare() and bind() are synchronous and statements are
 * plain objects that batch() takes back, which no RPC stub can be: so statements are built here and
 * only first/all/run/raw/batch/exec cross to the worker's database object (directly, or through
 * TenantSQL on dispatch-namespace), one round trip each, as tryQuery/tryExec: a refusal comes
 * back as a value, thrown here (storage/refusal.ts).
 */
const D1_SOURCE = `// Provided by ${PLATFORM_NAME}; not part of your upload. env.${DB_BINDING}: the D1 API over your worker's database.
${SETTLED_SOURCE}

const statementOf = new WeakMap();

function d1Error(error) {
  const message = String(error?.message ?? error);
  return new Error(message.startsWith("D1_") ? message : "D1_ERROR: " + message, { cause: error });
}

async function call(answer) {
  try {
    return settled(await answer());
  } catch (error) {
    throw d1Error(error);
  }
}

function run(binding, statements) {
  return call(() => binding.tryQuery(statements));
}

function objects({ columns, rows }) {
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index]])));
}

function result(raw) {
  return { success: true, meta: raw.meta, results: objects(raw) };
}

export class D1PreparedStatement {
  #binding;
  #statement;
  constructor(binding, sql, params = []) {
    this.#binding = binding;
    this.#statement = { sql: String(sql), params };
    statementOf.set(this, this.#statement);
  }
  bind(...values) {
    for (const value of values) {
      if (value === undefined) throw new Error("D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'");
    }
    return new D1PreparedStatement(this.#binding, this.#statement.sql, values);
  }
  async first(column) {
    const [raw] = await run(this.#binding, [this.#statement]);
    const [row] = objects(raw);
    if (!row) return null;
    if (column === undefined) return row;
    if (!(column in row)) throw new Error("D1_COLUMN_NOTFOUND: Column not found (" + column + ")");
    return row[column];
  }
  async all() {
    const [raw] = await run(this.#binding, [this.#statement]);
    return result(raw);
  }
  async run() {
    return this.all();
  }
  async raw(options = {}) {
    const [{ columns, rows }] = await run(this.#binding, [this.#statement]);
    return options.columnNames ? [columns, ...rows] : rows;
  }
}

// Not Object.create(database): a copy lacks its private #binding.
export class D1DatabaseSession {
  #database;
  constructor(database) {
    this.#database = database;
  }
  prepare(sql) {
    return this.#database.prepare(sql);
  }
  batch(statements) {
    return this.#database.batch(statements);
  }
  getBookmark() {
    return null;
  }
}

export class D1Database {
  #binding;
  constructor(binding) {
    this.#binding = binding;
  }
  prepare(sql) {
    return new D1PreparedStatement(this.#binding, sql);
  }
  /** Every statement in one transaction: all of them or none. */
  async batch(statements) {
    const list = statements.map((statement) => {
      const plain = statementOf.get(statement);
      if (!plain) throw new Error("D1_ERROR: batch() takes statements made by prepare().");
      return plain;
    });
    if (list.length === 0) return [];
    return (await run(this.#binding, list)).map(result);
  }
  exec(sql) {
    return call(() => this.#binding.tryExec(sql));
  }
  /** One database here: a session is the database, whatever the constraint, with no bookmark. */
  withSession() {
    return new D1DatabaseSession(this);
  }
  async dump() {
    throw new Error("D1_ERROR: dump() is not available; the worker's owner can export the database (GET /api/workers/<name>/data/sql).");
  }
}
`

/** The facade of each kind of store: its module and class. */
const KV_FACADE = { module: STORAGE_KV_MODULE, className: 'KVNamespace', source: KV_SOURCE }
const D1_FACADE = { module: STORAGE_D1_MODULE, className: 'D1Database', source: D1_SOURCE }
const OBJECTS_FACADE = { module: OBJECTS_MODULE, className: 'DurableObjectNamespace', source: OBJECTS_SOURCE }
type Facade = typeof KV_FACADE

/** Which binding of the worker's env gets which facade: env.KV and env.DB, then the declared stores. */
function facadesOf(storage: StorageSettings | undefined): { binding: string; facade: Facade }[] {
  return [
    ...(storage?.kv ? [{ binding: KV_BINDING, facade: KV_FACADE }] : []),
    ...(storage?.sql ? [{ binding: DB_BINDING, facade: D1_FACADE }] : []),
    ...(storage?.kvNamespaces ?? []).map(({ binding }) => ({ binding, facade: KV_FACADE })),
    ...(storage?.d1Databases ?? []).map(({ binding }) => ({ binding, facade: D1_FACADE })),
    ...(storage?.durableObjects ?? []).map(({ binding }) => ({ binding, facade: OBJECTS_FACADE })),
  ]
}

/** Each hosted class, with a binding of its namespace (its alarms go through it): one per class. */
function hostedClasses(storage: StorageSettings | undefined): { className: string; binding: string }[] {
  const classes = new Map((storage?.durableObjects ?? []).map(({ className, binding }) => [className, binding]))
  return [...classes].map(([className, binding]) => ({ className, binding }))
}

/** The new main module: the worker's own, with each storage binding wrapped in its facade on the way in. */
function mainSource(
  userMain: string,
  wrapped: { binding: string; facade: Facade }[],
  caches: boolean,
  classes: { className: string; binding: string }[],
): string {
  const path = JSON.stringify(`./${userMain}`)
  const facades = [...new Set(wrapped.map(({ facade }) => facade))]
  const imports = [
    ...facades.map(({ module, className }) => `import { ${className} } from "./${module}";`),
    ...(caches ? [`import { installCaches } from "./${CACHE_MODULE}";`] : []),
    ...(classes.length > 0 ? [`import { hosted } from "./${OBJECTS_MODULE}";`] : []),
  ].join('\n')
  const hostedExports = classes.map(
    ({ className, binding }) =>
      `export const ${className} = hosted(worker[${JSON.stringify(className)}], ${JSON.stringify(binding)}, withStorage);`,
  )
  const entries = wrapped.map(({ binding, facade }) => `[${JSON.stringify(binding)}, ${facade.className}]`).join(', ')
  return `// Provided by ${PLATFORM_NAME}; not part of your upload. Main module: ${JSON.stringify(userMain)}.
import * as worker from ${path};
${imports}
export * from ${path};

const FACADES = [${entries}];
const CACHE = ${caches ? JSON.stringify(CACHE_BINDING) : 'null'};
const wrapped = new WeakMap();

// The env the worker's code sees: each storage binding in its facade (made once per env object),
// and the platform's cache binding installed as the global caches, then taken out of the env.
function withStorage(env) {
  if (env === null || typeof env !== "object") return env;
  const todo = FACADES.filter(([name, Facade]) => env[name] && !(env[name] instanceof Facade));
  const cache = CACHE && env[CACHE];
  if (todo.length === 0 && !cache) return env;
  let result = wrapped.get(env);
  if (!result) {
    ${caches ? 'if (cache) installCaches(cache);' : ''}
    result = { ...env };
    for (const [name, Facade] of todo) result[name] = new Facade(env[name]);
    if (cache) delete result[CACHE];
    wrapped.set(env, result);
  }
  return result;
}

const HANDLERS = ["fetch", "scheduled", "queue", "email", "tail", "trace", "test"];

function wrap(handler) {
  if (typeof handler === "function") {
    // A WorkerEntrypoint (or other class) default export: its env arrives through the constructor.
    return class extends handler {
      constructor(ctx, env) {
        super(ctx, withStorage(env));
      }
    };
  }
  if (handler === null || typeof handler !== "object") return handler;
  const result = Object.create(Object.getPrototypeOf(handler));
  Object.assign(result, handler);
  for (const name of HANDLERS) {
    if (typeof handler[name] === "function") {
      result[name] = (event, env, ctx) => handler[name].call(handler, event, withStorage(env), ctx);
    }
  }
  return result;
}

export default wrap(worker.default);
${hostedExports.join('\n')}
`
}

/**
 * A bundle whose code gets env.KV or env.DB: their facades' modules and a main module that wraps
 * the worker's own (ES modules only; a service-worker script gets the RPC bindings themselves, see
 * docs/storage.md).
 */
export function withStorageShim(
  bundle: WorkerBundle,
  storage: StorageSettings | undefined,
  /** dynamic-workers: the Worker gets the platform's Cache API, when its code uses `caches`. */
  { caches = false }: { caches?: boolean } = {},
): WorkerBundle {
  const main = bundle.modules.find((module) => module.name === bundle.mainModule)
  const wrapped = facadesOf(storage)
  const withCaches = caches && usesCaches(bundle.modules.map((module) => module.content))
  if ((wrapped.length === 0 && !withCaches) || main?.type !== 'esm') return bundle
  const facades = [...new Set(wrapped.map(({ facade }) => facade))]
  const added: BundleModule[] = [
    ...facades.map(({ module, source }): BundleModule => ({ name: module, type: 'esm', content: source })),
    ...(withCaches ? [{ name: CACHE_MODULE, type: 'esm' as const, content: CACHE_SOURCE }] : []),
  ]
  return {
    mainModule: STORAGE_MAIN_MODULE,
    modules: [
      ...bundle.modules,
      ...added,
      {
        name: STORAGE_MAIN_MODULE,
        type: 'esm',
        content: mainSource(bundle.mainModule, wrapped, withCaches, hostedClasses(storage)),
      },
    ],
  }
}

/** Whether a deployed bundle carries the platform's Cache API (it gets the cache binding then). */
export function hasPlatformCaches(bundle: WorkerBundle): boolean {
  return bundle.modules.some((module) => module.name === CACHE_MODULE)
}

const SHIM_MODULES = new Set([STORAGE_MAIN_MODULE, STORAGE_D1_MODULE, STORAGE_KV_MODULE, CACHE_MODULE, OBJECTS_MODULE])

/** The bundle as uploaded, for "upload a new version": the shim's modules out, the worker's main module back. */
export function withoutStorageShim(bundle: WorkerBundle): WorkerBundle {
  const shim = bundle.modules.find((module) => module.name === STORAGE_MAIN_MODULE)
  if (!shim || bundle.mainModule !== STORAGE_MAIN_MODULE) return bundle
  const match = /Main module: ("(?:[^"\\]|\\.)*")/.exec(shim.content)
  const main = match ? (JSON.parse(match[1] as string) as string) : bundle.mainModule
  return {
    mainModule: main,
    modules: bundle.modules.filter((module) => !SHIM_MODULES.has(module.name)),
  }
}
