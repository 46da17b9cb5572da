/** Where a worker is served, relative to the platform's origin. */
export const USER_WORKERS_MOUNT = '/user-workers'

export function workerPath(name: string): string {
  return `${USER_WORKERS_MOUNT}/${name}`
}

export function workerUrl(requestUrl: string, name: string): string {
  return new URL(workerPath(name), requestUrl).href
}
