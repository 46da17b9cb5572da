// The dispatch Worker's start-up cost, enforced rather than cited: builds it as `wrangler deploy`
// would (--dry-run), fails when its gzip size has grown past the ratchet in bundle-ratchet.json
// (lower the ratchet whenever it shrinks, never raise it without a measured reason in the commit),
// and reports its local start-up profile (`wrangler check startup`). Run by CI: `npm run check:bundle`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler')), '..', 'bin', 'wrangler.js')
const env = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', ...process.env }
const { dispatchGzipBytes: ratchet } = JSON.parse(readFileSync(join(ROOT, 'scripts', 'bundle-ratchet.json'), 'utf8'))

function run(args) {
  const result = spawnSync(process.execPath, [wrangler, ...args], { cwd: ROOT, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`wrangler ${args[0]} failed:\n${result.stdout}${result.stderr}`)
  return result.stdout
}

const scratch = mkdtempSync(join(tmpdir(), 'wfp-bundle-'))
try {
  run(['deploy', '--dry-run', '--outdir', scratch, '--env='])
  const size = gzipSync(readFileSync(join(scratch, 'index.js')), { level: 9 }).byteLength
  const profile = run(['check', 'startup', '--outfile', join(scratch, 'startup.cpuprofile'), '--args', '--env='])
  const active = /Active: ([\d.]+) ms/.exec(profile)?.[1] ?? '?'
  console.log(`dispatch Worker: ${size} B gzip (ratchet ${ratchet} B); local start-up: ${active} ms of CPU`)
  if (size > ratchet) {
    console.error(
      `The dispatch Worker grew past its ratchet by ${size - ratchet} B. Shrink it, or raise scripts/bundle-ratchet.json with the measured reason.`,
    )
    process.exitCode = 1
  } else if (size < ratchet) {
    console.log(`It is ${ratchet - size} B under the ratchet: lower scripts/bundle-ratchet.json to ${size}.`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
