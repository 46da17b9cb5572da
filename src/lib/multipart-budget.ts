import { concatBytes } from './encoding'

// Counting the parts of a multipart body while it streams in, so a form of a million tiny parts is
// refused after the first few hundred instead of being parsed whole (the runtime's formData() reads
// every part, and the platform then walks them all).

/** The boundary a multipart Content-Type names, or undefined when it names none. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /^multipart\/form-data\b.*?;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

/**
 * Passes a multipart body through unchanged, failing it with `tooMany()` once it holds more than
 * `maxParts` parts. Each part begins with a delimiter line ("--" and the boundary); the body's
 * last delimiter closes it, so n parts show n + 1 delimiters.
 */
export function countingParts(
  boundary: string,
  maxParts: number,
  tooMany: () => Error,
): TransformStream<Uint8Array, Uint8Array> {
  const delimiter = new TextEncoder().encode(`--${boundary}`)
  let carried = new Uint8Array(0)
  let delimiters = 0
  return new TransformStream({
    transform(chunk, controller) {
      // The end of the last chunk is searched again with this one: a delimiter may straddle them.
      const text = carried.byteLength === 0 ? chunk : concatBytes([carried, chunk])
      for (let at = indexOf(text, delimiter, 0); at !== -1; at = indexOf(text, delimiter, at + delimiter.byteLength)) {
        delimiters += 1
        if (delimiters > maxParts + 1) return controller.error(tooMany())
      }
      // Fewer bytes than a delimiter: none of them starts one already counted.
      carried = text.slice(Math.max(0, text.byteLength - delimiter.byteLength + 1))
      controller.enqueue(chunk)
    },
  })
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!
  for (let at = haystack.indexOf(first, from); at !== -1; at = haystack.indexOf(first, at + 1)) {
    if (at + needle.byteLength > haystack.byteLength) return -1
    let matched = true
    for (let i = 1; i < needle.byteLength && matched; i++) matched = haystack[at + i] === needle[i]
    if (matched) return at
  }
  return -1
}
