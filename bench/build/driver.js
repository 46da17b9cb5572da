// POST a BuildRequest (JSON; file contents as text) → { ok, cached, kind, errors, dependencies, ms }.
export default {
  async fetch(request, env) {
    const body = await request.json()
    const started = Date.now()
    const result = await env.BUILDER.build(body)
    const ms = Date.now() - started
    return Response.json({
      ok: result.ok,
      cached: result.cached,
      kind: result.kind,
      errors: result.errors,
      dependencies: result.dependencies,
      ms,
    })
  },
}
