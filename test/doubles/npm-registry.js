// An npm registry double for the builder tests (an auxiliary worker in the `builder` vitest
// project). Tests publish packages into it; the builder installs from it as from registry.npmjs.org:
//   POST /-/publish  { name, version, tarball (base64 .tgz), dependencies?, tag? ("latest" unless null) }
//   GET  /<name>     packument: { name, dist-tags, versions: { v: { dependencies, dist: { tarball, integrity } } } }
//   GET  /<name>/-/<file>.tgz
//   GET  /-/requests?name=<name>  how often its packument and tarballs were fetched (for cache tests)
// Scoped names arrive as /@scope%2Fname. State lives in this isolate's memory.

const packages = new Map() // name → { 'dist-tags', versions: { v: meta }, tarballs: { v: bytes } }
const requests = new Map() // name → { packument, tarball }

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const path = decodeURIComponent(url.pathname.slice(1))

    if (request.method === 'POST' && path === '-/publish') {
      const { name, version, tarball, dependencies = {}, tag = 'latest' } = await request.json()
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
      }
      entry.tarballs[version] = bytes
      if (tag) entry['dist-tags'][tag] = version
      packages.set(name, entry)
      return Response.json({ ok: true, integrity })
    }

    if (path === '-/requests') {
      return Response.json(requests.get(url.searchParams.get('name')) ?? { packument: 0, tarball: 0 })
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
    return Response.json({ name: path, 'dist-tags': entry['dist-tags'], versions: entry.versions })
  },
}

function count(name, kind) {
  const seen = requests.get(name) ?? { packument: 0, tarball: 0 }
  seen[kind] += 1
  requests.set(name, seen)
}
