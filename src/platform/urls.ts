/** Where workers are mounted on the platform's own origin. */
export const USER_WORKERS_MOUNT = '/user-workers'

export function workerPath(name: string): string {
  return `${USER_WORKERS_MOUNT}/${name}`
}

/**
 * The URL a worker is served at: its own origin `<name>.<domain>` when host routing is on (keeping
 * the scheme and port the platform was reached on), else the shared-origin mount.
 */
export function workerUrl(platformUrl: string, name: string, userWorkersDomain: string | undefined): string {
  const base = new URL(platformUrl)
  if (userWorkersDomain) {
    const port = base.port ? `:${base.port}` : ''
    return `${base.protocol}//${name}.${userWorkersDomain}${port}/`
  }
  return new URL(workerPath(name), base).href
}

/** The worker name a request's host addresses under host routing, if any. */
export function nameFromHost(requestUrl: string, userWorkersDomain: string): string | undefined {
  const host = new URL(requestUrl).hostname
  const suffix = `.${userWorkersDomain}`
  if (!host.endsWith(suffix)) return undefined
  return host.slice(0, -suffix.length)
}
