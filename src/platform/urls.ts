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
 * The domain whose subdomains are workers, for a request to `hostname`: USER_WORKERS_DOMAIN, else —
 * when the platform itself is reached on `localhost`, as under `npm run dev` — `localhost`, because
 * browsers and curl resolve every `<name>.localhost` to this machine. A site needs its own origin: on
 * the shared one its absolute URLs (`/app.js`) reach the platform.
 */
function hostRoutingDomain(hostname: string, userWorkersDomain: string | undefined): string | undefined {
  if (userWorkersDomain) return userWorkersDomain
  return hostname === 'localhost' || hostname.endsWith('.localhost') ? 'localhost' : undefined
}

/** A worker's own origin, when host routing can serve it for this request. */
export function ownOriginUrl(
  requestUrl: string,
  name: string,
  userWorkersDomain: string | undefined,
): string | undefined {
  const domain = hostRoutingDomain(new URL(requestUrl).hostname, userWorkersDomain)
  return domain ? workerUrl(requestUrl, name, domain) : undefined
}

/** The worker name a request to `hostname` addresses under host routing, if any. */
export function nameFromHost(hostname: string, userWorkersDomain: string | undefined): string | undefined {
  const domain = hostRoutingDomain(hostname, userWorkersDomain)
  const suffix = `.${domain}`
  if (!domain || !hostname.endsWith(suffix)) return undefined
  return hostname.slice(0, -suffix.length)
}
