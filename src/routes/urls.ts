import type { Config } from '../config'

/** Where workers are mounted on the platform's own origin. */
export const USER_WORKERS_MOUNT = '/user-workers'

export function workerPath(name: string): string {
  return `${USER_WORKERS_MOUNT}/${name}`
}

/**
 * The URL a worker is served at: its own origin `<name>.<domain>` when host routing is on (keeping
 * the scheme and port the platform was reached on), else the shared-origin mount.
 */
export function workerUrl(requestUrl: string, name: string, config: Pick<Config, 'userWorkersDomain'>): string {
  const base = new URL(requestUrl)
  if (config.userWorkersDomain) {
    const port = base.port ? `:${base.port}` : ''
    return `${base.protocol}//${name}.${config.userWorkersDomain}${port}/`
  }
  return new URL(workerPath(name), base).href
}

/** The worker name a request's Host addresses under host routing, if any. */
export function nameFromHost(requestUrl: string, domain: string): string | undefined {
  const host = new URL(requestUrl).hostname
  const suffix = `.${domain}`
  if (!host.endsWith(suffix)) return undefined
  return host.slice(0, -suffix.length)
}
