import { concatBytes } from '../../src/lib/encoding'

/**
 * A response body read to the end, refusing (by calling `tooLarge`, which throws) as soon as its
 * Content-Length or the bytes streamed so far pass `maxBytes`: nothing larger is ever held.
 */
export async function readCapped(response: Response, maxBytes: number, tooLarge: () => never): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '')
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel()
    tooLarge()
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of streamOf(response)) {
    total += chunk.byteLength
    if (total > maxBytes) tooLarge()
    chunks.push(chunk)
  }
  return concatBytes(chunks)
}

/**
 * The body's chunks; leaving the loop early (a throw) cancels the stream, so the rest is never
 * downloaded.
 */
export async function* streamOf(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}
