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

/**
 * The domain whose subdomains are workers for a request: USER_WORKERS_DOMAIN, else — when the
 * platform itself is reached on `localhost`, as under `npm run dev` — `localhost`, because browsers
 * and curl resolve every `<name>.localhost` to this machine. A site needs its own origin: on the
 * shared one its absolute URLs (`/app.js`) reach the platform.
 */
export function hostRoutingDomain(requestUrl: string, userWorkersDomain: string | undefined): string | undefined {
  if (userWorkersDomain) return userWorkersDomain
  const host = new URL(requestUrl).hostname
  return host === 'localhost' || host.endsWith('.localhost') ? 'localhost' : undefined
}

/** A worker's own origin, when host routing can serve it for this request. */
export function ownOriginUrl(
  requestUrl: string,
  name: string,
  userWorkersDomain: string | undefined,
): string | undefined {
  const domain = hostRoutingDomain(requestUrl, userWorkersDomain)
  return domain ? workerUrl(requestUrl, name, domain) : undefined
}

/** The worker name a request's host addresses under host routing, if any. */
export function nameFromHost(requestUrl: string, userWorkersDomain: string | undefined): string | undefined {
  if (!userWorkersDomain) return undefined
  const host = new URL(requestUrl).hostname
  const suffix = `.${userWorkersDomain}`
  if (!host.endsWith(suffix)) return undefined
  return host.slice(0, -suffix.length)
}
