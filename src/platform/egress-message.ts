/** The error a user Worker sees when the platform blocks one of its fetches. */
export function blockedMessage(hostname: string): string {
  return `Egress blocked by the platform: ${hostname} is not on this worker's allow-list.`
}
