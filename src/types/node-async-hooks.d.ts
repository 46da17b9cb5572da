// The one Node.js module the platform uses, with the `nodejs_als` compatibility flag (see
// core/request-client.ts): its types, without all of @types/node.
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R
    getStore(): T | undefined
  }
}
