import { platform } from './helpers'

export interface LogsBody {
  lines: { id: number; at: string; level: string; message: string; deployment?: string }[]
  capturingUntil: string
}

/** GET /api/workers/:name/logs, with the token (if any) as a bearer token. */
export function readLogs(name: string, token?: string): Promise<Response> {
  return platform(`/api/workers/${name}/logs`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
}

/** Tail events arrive after the response; waits until at least `count` lines are stored. */
export async function waitForLines(name: string, token: string, count: number): Promise<LogsBody['lines']> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { lines } = await (await readLogs(name, token)).json<LogsBody>()
    if (lines.length >= count) return lines
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const { lines } = await (await readLogs(name, token)).json<LogsBody>()
  throw new Error(`fewer than ${count} log lines for ${name}: ${JSON.stringify(lines)}`)
}

/** Calls a user Worker and reads its whole response: its invocation (and trace) ends only then. */
export async function call(name: string, path = '', init?: RequestInit): Promise<void> {
  await (await platform(`/user-workers/${name}${path}`, init)).text()
}
