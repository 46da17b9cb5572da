// Runs wrangler for `npm run dev`, with two defaults that keep a first run quiet and offline:
// - no download of location metadata for request.cf (it fails noisily without internet, and user
//   Workers in a dispatch namespace get no request.cf anyway);
// - no usage metrics.
// Set either variable yourself to override. Cross-platform, unlike `VAR=value cmd` in package.json.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const env = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', ...process.env }
// wrangler's package exports hide its bin; find it next to its main entry.
const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler')), '..', 'bin', 'wrangler.js')
const child = spawn(process.execPath, [wrangler, ...process.argv.slice(2)], { stdio: 'inherit', env })

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
