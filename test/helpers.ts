import { exports } from 'cloudflare:workers'

export const ORIGIN = 'http://platform.test'

/** Sends a request to the platform Worker under test, exactly as wrangler dev would deliver it. */
export function platform(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }))
}

let counter = 0
/** A fresh valid worker name, so tests never depend on each other's state. */
export function uniqueName(prefix = 'w'): string {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}`
}

export const helloScript = (greeting: string) => `export default {
  async fetch(request) {
    return new Response(${JSON.stringify(greeting)});
  },
};`

/** A user Worker that describes the request it received, for pass-through assertions. */
export const ECHO_SCRIPT = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    return Response.json({
      method: request.method,
      path: url.pathname,
      search: url.search,
      prefix: request.headers.get("x-forwarded-prefix"),
      custom: request.headers.get("x-custom"),
      body: request.body ? await request.text() : null,
    });
  },
};`

export function putScript(name: string, script: string, init: RequestInit = {}): Promise<Response> {
  return platform(`/api/workers/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/javascript' },
    body: script,
    ...init,
  })
}

export function postForm(fields: Record<string, string | File>, encoding: 'multipart' | 'urlencoded' = 'multipart') {
  let body: FormData | URLSearchParams
  if (encoding === 'multipart') {
    body = new FormData()
    for (const [key, value] of Object.entries(fields)) body.append(key, value)
  } else {
    body = new URLSearchParams(fields as Record<string, string>)
  }
  return platform('/upload', { method: 'POST', body })
}

/** The text content of the upload form's textarea, unescaped. */
export function textareaContent(html: string): string {
  const match = html.match(/<textarea[^>]*name="script"[^>]*>([\s\S]*?)<\/textarea>/)
  return unescapeHtml(match?.[1] ?? '')
}

export function inputValue(html: string, name: string): string | undefined {
  const match = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`))
  return match ? unescapeHtml(match[1] ?? '') : undefined
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}
