/** Deletes every key under `prefix` in the platform's KV namespace (a deleted worker's env.KV). */
export async function sweepKv(kv: KVNamespace, prefix: string): Promise<void> {
  let cursor: string | undefined
  for (;;) {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) })
    await Promise.all(page.keys.map(({ name }) => kv.delete(name)))
    if (page.list_complete) return
    cursor = page.cursor
  }
}
