/** Where workers are mounted on the platform's own origin. */
export const USER_WORKERS_MOUNT = '/user-workers'

export function workerPath(name: string): string {
  return `${USER_WORKERS_MOUNT}/${name}`
}

/**
 * A deployment's preview ID: the 80 random bits of its Worker ID (see newWorkerId), so it is short,
 * fits in a DNS label, and is unique across all tenants, not just within one name.
 */
export function previewId(workerId: string): string {
  return workerId.slice(workerId.lastIndexOf('-') + 1)
}

/**
 * Preview addresses. On the shared origin: `<name>@<preview-id>` — "@" is never part of a name.
 * As a host label: `<preview-id>--preview` — a name never holds "--", and the label stays 29
 * characters whatever the name's length (a DNS label is at most 63, and a wildcard certificate
 * covers one level, so `<id>--<name>` could not fit); the platform looks the ID up (Registry).
 */
const PREVIEW_MARK = '@'
const PREVIEW_LABEL_SUFFIX = '--preview'

/** Whether a string can be a preview ID at all: nothing else is looked up. */
export function isPreviewId(id: string): boolean {
  return /^[0-9a-z]{1,32}$/.test(id)
}

/** What a `/user-workers/<address>` segment or a host label names: a worker, or one of its deployments. */
export type WorkerAddress = { name: string; preview?: string } | { name?: undefined; preview: string }

export function parseWorkerAddress(address: string): WorkerAddress {
  const mark = address.indexOf(PREVIEW_MARK)
  if (mark >= 0) return { name: address.slice(0, mark), preview: address.slice(mark + 1) }
  if (address.endsWith(PREVIEW_LABEL_SUFFIX)) return { preview: address.slice(0, -PREVIEW_LABEL_SUFFIX.length) }
  return { name: address }
}

/** Where a deployment is previewed on the shared origin, and on its own origin when host routing is on. */
export function previewUrls(
  requestUrl: string,
  name: string,
  workerId: string,
  userWorkersDomain: string | undefined,
): { url: string; siteUrl?: string } {
  const id = previewId(workerId)
  const url = new URL(workerPath(`${name}${PREVIEW_MARK}${id}`), requestUrl).href
  const domain = hostRoutingDomain(new URL(requestUrl).hostname, userWorkersDomain)
  return domain ? { url, siteUrl: workerUrl(requestUrl, `${id}${PREVIEW_LABEL_SUFFIX}`, domain) } : { url }
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

/**
 * The URL a page's links reach host routing from: the request's own, except that a loopback IP
 * (`127.0.0.1`, `[::1]`: `wrangler dev` answers on them too) becomes `localhost`. An IP has no
 * subdomains, and browsers and curl resolve every `<name>.localhost` to this machine, so a page
 * opened at `127.0.0.1:8787` still links a site at its own origin, `<name>.localhost:8787`.
 */
export function hostRoutingBase(requestUrl: string): string {
  const url = new URL(requestUrl)
  if (/^127(\.\d{1,3}){3}$/.test(url.hostname) || url.hostname === '[::1]') url.hostname = 'localhost'
  return url.href
}

/** ownOriginUrl for a page's links (see hostRoutingBase). */
export function ownOriginUrlForPage(
  requestUrl: string,
  name: string,
  userWorkersDomain: string | undefined,
): string | undefined {
  return ownOriginUrl(hostRoutingBase(requestUrl), name, userWorkersDomain)
}

/** previewUrls for a page's links: the shared-origin URL as requested, the own origin as hostRoutingBase says. */
export function previewUrlsForPage(
  requestUrl: string,
  name: string,
  workerId: string,
  userWorkersDomain: string | undefined,
): { url: string; siteUrl?: string } {
  const { url } = previewUrls(requestUrl, name, workerId, userWorkersDomain)
  const { siteUrl } = previewUrls(hostRoutingBase(requestUrl), name, workerId, userWorkersDomain)
  return siteUrl ? { url, siteUrl } : { url }
}
