// An npm registry double for the builder tests (an auxiliary worker in the `builder` vitest
// project). Tests publish packages into it; the builder installs from it as from registry.npmjs.org:
//   POST /-/publish  { name, version, tarball (base64 .tgz), dependencies?, tag? ("latest" unless null),
//                      padding? (bytes of filler metadata on the version), streamed? (packument sent in
//                      64 KiB chunks as the reader pulls them, without a Content-Length) }
//   GET  /<name>     packument: { name, dist-tags, versions: { v: { dependencies, dist: { tarball, integrity } } } }
//   GET  /<name>/-/<file>.tgz
//   GET  /-/requests?name=<name>  how often its packument and tarballs were fetched, and how many packument
//                                 bytes a streamed packument's readers pulled (for cache and limit tests)
//   GET  /-/paths    every path (with its query) requested so far, in order
// Scoped names arrive as /@scope%2Fname. State lives in this isolate's memory.

const packages = new Map() // name → { 'dist-tags', versions: { v: meta }, tarballs: { v: bytes } }
const requests = new Map() // name → { packument, tarball, streamedBytes }
const paths = [] // every request's path and query

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const path = decodeURIComponent(url.pathname.slice(1))
    if (url.pathname !== '/-/paths') paths.push(url.pathname + url.search)
    if (url.pathname === '/-/paths') return Response.json(paths)

    if (request.method === 'POST' && path === '-/publish') {
      const {
        name,
        version,
        tarball,
        dependencies = {},
        tag = 'latest',
        padding = 0,
        streamed = false,
      } = await request.json()
      const bytes = Uint8Array.from(atob(tarball), (char) => char.charCodeAt(0))
      const digest = await crypto.subtle.digest('SHA-512', bytes)
      const integrity = `sha512-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`
      const entry = packages.get(name) ?? { 'dist-tags': {}, versions: {}, tarballs: {} }
      const file = `${name.split('/').pop()}-${version}.tgz`
      entry.versions[version] = {
        name,
        version,
        dependencies,
        dist: { tarball: `${env.ORIGIN}/${name}/-/${file}`, integrity },
        ...(padding > 0 ? { filler: 'x'.repeat(padding) } : {}),
      }
      entry.streamed = streamed
      entry.tarballs[version] = bytes
      if (tag) entry['dist-tags'][tag] = version
      packages.set(name, entry)
      return Response.json({ ok: true, integrity })
    }

    if (path === '-/requests') {
      return Response.json(requests.get(url.searchParams.get('name')) ?? { packument: 0, tarball: 0, streamedBytes: 0 })
    }

    const tarball = /^(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path)
    if (tarball) {
      const [, name, version] = tarball
      const bytes = packages.get(name)?.tarballs[version]
      if (!bytes) return new Response('not found', { status: 404 })
      count(name, 'tarball')
      return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })
    }

    const entry = packages.get(path)
    count(path, 'packument')
    if (!entry) return Response.json({ error: 'Not found' }, { status: 404 })
    const packument = { name: path, 'dist-tags': entry['dist-tags'], versions: entry.versions }
    if (entry.streamed) return streamed(path, new TextEncoder().encode(JSON.stringify(packument)))
    return Response.json(packument)
  },
}

/** The bytes in 64 KiB chunks, each made when the reader pulls it, counted in streamedBytes. */
function streamed(name, bytes) {
  let offset = 0
  const body = new ReadableStream({
    pull(controller) {
      const chunk = bytes.subarray(offset, offset + 65536)
      offset += chunk.byteLength
      count(name, 'streamedBytes', chunk.byteLength)
      if (chunk.byteLength > 0) controller.enqueue(chunk)
      if (offset >= bytes.byteLength) controller.close()
    },
  })
  return new Response(body, { headers: { 'content-type': 'application/json' } })
}

function count(name, kind, amount = 1) {
  const seen = requests.get(name) ?? { packument: 0, tarball: 0, streamedBytes: 0 }
  seen[kind] += amount
  requests.set(name, seen)
}
