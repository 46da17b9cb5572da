// Deploy latency: from the start of `PUT /api/workers/:name` to the first response of the new
// version from /user-workers/<name>, for new names and for updates of one existing name.
import { uploadOrThrow, waitForBody } from './lib/client.mjs'
import { summarize } from './lib/stats.mjs'
import { versionScript } from './user-script.mjs'

async function timeDeploy(base, name, version, token) {
  const started = performance.now()
  const newToken = await uploadOrThrow(base, name, versionScript(version), token)
  await waitForBody(base, name, version)
  return { ms: performance.now() - started, token: newToken }
}

/** `count` first uploads of fresh names, one after another. */
export async function measureNewDeploys(base, count) {
  const durations = []
  for (let i = 0; i < count; i++) {
    const name = `fresh-${i}`
    durations.push((await timeDeploy(base, name, `${name} v1`)).ms)
  }
  return summarize(durations)
}

/** `count` updates of one name, each with the deploy token its first upload returned. */
export async function measureUpdates(base, count) {
  const name = 'updated'
  let { token } = await timeDeploy(base, name, `${name} v0`)
  const durations = []
  for (let i = 1; i <= count; i++) {
    const result = await timeDeploy(base, name, `${name} v${i}`, token)
    token = result.token
    durations.push(result.ms)
  }
  return summarize(durations)
}
