// Tenant code for the storage suites: a worker that does what the request asks with env.KV and
// env.DB and answers with the result as JSON (an Error as { error } with status 500).

export const STORAGE_SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : {};
    const bytes = (buffer) => buffer === null ? null : [...new Uint8Array(buffer)];
    try {
      switch (url.pathname.split("/").pop()) {
        case "bindings":
          return Response.json({ kv: "KV" in env, db: "DB" in env });
        case "kv-put": {
          const value = body.bytes ? new Uint8Array(body.bytes) : body.stream
            ? new Blob([body.value]).stream() : body.value;
          await env.KV.put(body.key, value, body.options);
          return Response.json({ ok: true });
        }
        case "kv-get": {
          const value = await env.KV.get(body.key, body.options);
          const type = typeof body.options === "string" ? body.options : body.options?.type;
          if (type === "arrayBuffer") return Response.json({ value: bytes(value) });
          if (type === "stream") return Response.json({ value: value === null ? null : await new Response(value).text() });
          return Response.json({ value });
        }
        case "kv-meta":
          return Response.json(await env.KV.getWithMetadata(body.key, body.options));
        case "kv-delete":
          await env.KV.delete(body.key);
          return Response.json({ ok: true });
        case "kv-list":
          return Response.json(await env.KV.list(body));
        case "kv-many": {
          for (let i = 0; i < body.count; i++) await env.KV.put((body.prefix ?? "k") + i, body.value ?? "v");
          return Response.json({ ok: true });
        }
        case "sql-all":
          return Response.json(await env.DB.prepare(body.sql).bind(...(body.params ?? [])).all());
        case "sql-first":
          return Response.json({ value: await env.DB.prepare(body.sql).bind(...(body.params ?? [])).first(body.column) });
        case "sql-raw":
          return Response.json(await env.DB.prepare(body.sql).bind(...(body.params ?? [])).raw(body.options));
        case "sql-run":
          return Response.json(await env.DB.prepare(body.sql).bind(...(body.params ?? [])).run());
        case "sql-batch":
          return Response.json(await env.DB.batch(body.statements.map((s) => env.DB.prepare(s.sql).bind(...(s.params ?? [])))));
        case "sql-exec":
          return Response.json(await env.DB.exec(body.sql));
        case "sql-session": {
          // As d1-starter-sessions-api-template does: a session per request, then prepare/batch on it.
          const session = env.DB.withSession(body.bookmark ?? "first-unconstrained");
          const first = await session.prepare(body.sql).bind(...(body.params ?? [])).all();
          const batch = await session.batch([session.prepare(body.sql).bind(...(body.params ?? []))]);
          return Response.json({ first, batch, bookmark: session.getBookmark() });
        }
        case "sql-dump":
          return Response.json(await env.DB.dump());
        case "ops": {
          for (let i = 0; i < body.count; i++) await env.KV.get("k");
          return Response.json({ ok: true });
        }
        default:
          return new Response("no such route", { status: 404 });
      }
    } catch (error) {
      return Response.json({ error: String(error.message) }, { status: 500 });
    }
  },
};`
