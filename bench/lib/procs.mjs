// Child processes of the harness: wrangler builds, the Worker servers and the load generator.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)))

/**
 * Gives up on a run that outlives `ms`: says so, stops every child process (then `cleanup`) and
 * exits with 2, so a stuck server can never keep the machine busy. Never keeps the process alive;
 * returns what stops it once the run is over.
 */
export function startWatchdog(label, ms, cleanup = () => {}) {
  const timer = setTimeout(() => {
    console.error(`${label}: still running after ${ms / 1000} s, giving up`)
    killChildren()
    cleanup()
    process.exit(2)
  }, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

/** A new scratch directory; on tmpfs when there is one, because seeding KV entries is mostly file writes. */
export function scratchDir(prefix = 'wfp-bench-') {
  return mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix))
}
export const ROOT = dirname(BENCH_DIR)
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

// With two or more cores the server (workerd) gets core 0 and the load generator core 1: neither
// can starve the other, and both sides of every comparison run under the same split.
const PINNING = availableParallelism() >= 2 && existsSync('/usr/bin/taskset')
export const SERVER_CORE = PINNING ? '0' : undefined
export const CLIENT_CORE = PINNING ? '1' : undefined

const children = new Set()

/** Starts `node <args>` (the harness's own Node), optionally pinned to one core. */
function spawnNode(args, { core, stdio = ['ignore', 'pipe', 'pipe'] } = {}) {
  const command = core === undefined ? [process.execPath, ...args] : ['taskset', '-c', core, process.execPath, ...args]
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    stdio,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

/** Ends the children this harness started (each by its own pid), e.g. on a watchdog timeout. */
export function killChildren() {
  for (const child of children) child.kill('SIGTERM')
}

/** Runs a child to completion and returns its stdout; rejects with its output when it fails. */
function collect(child, what) {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`${what} exited with ${code}\n${stdout}\n${stderr}`.trim()))
    })
  })
}

/** `wrangler deploy --dry-run --outdir`: the exact bundle `wrangler deploy` would upload. */
export async function buildBundle(configPath, outdir, envArgs = []) {
  const args = [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir, '--config', configPath, ...envArgs]
  await collect(spawnNode(args), `wrangler deploy --dry-run --config ${configPath}`)
  const main = readdirSync(outdir).find((file) => file.endsWith('.js'))
  if (!main) throw new Error(`no .js bundle in ${outdir}`)
  return join(outdir, main)
}

/**
 * Starts bench/server.mjs for one Worker and resolves once it listens. stdin stays open as a
 * lifeline: if the harness dies, the server sees it close and shuts workerd down. `options`: see
 * bench/server.mjs (a builder bundle to run beside it, vars to override).
 */
export function startServer(configPath, bundlePath, persistDir, options = {}) {
  const args = [join(BENCH_DIR, 'server.mjs'), configPath, bundlePath, persistDir, '0', JSON.stringify(options)]
  const child = spawnNode(args, {
    core: SERVER_CORE,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const log = []
  return new Promise((resolve, reject) => {
    let buffered = ''
    const remember = (chunk) => log.push(...String(chunk).split('\n').filter(Boolean)) && log.splice(0, log.length - 40)
    child.stderr.on('data', remember)
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      remember(chunk)
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{"url"'))
      if (line) {
        // pid: the server process (workerd runs as its child), for CPU accounting (bench/metrics.mjs).
        resolve({ url: JSON.parse(line).url.replace(/\/$/, ''), stop: () => stopServer(child), log, pid: child.pid })
      }
    })
    child.on('exit', (code) => reject(new Error(`server for ${configPath} exited with ${code}\n${log.join('\n')}`)))
  })
}

function stopServer(child) {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.on('exit', resolve)
    child.kill('SIGTERM')
  })
}

/**
 * The load generator: one long-lived `node bench/load.mjs --serve` on the client core, started on
 * the first run. Its pipes are unreferenced while no run is pending, so it never keeps the harness
 * alive; it exits when the harness does (its stdin closes).
 */
let generator
const pending = new Map()
let nextRunId = 0

function loadGenerator() {
  if (generator) return generator
  const child = spawnNode([join(BENCH_DIR, 'load.mjs'), '--serve'], {
    core: CLIENT_CORE,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let buffered = ''
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    let newline
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const { id, result, error } = JSON.parse(buffered.slice(0, newline))
      buffered = buffered.slice(newline + 1)
      const waiting = pending.get(id)
      pending.delete(id)
      if (error) waiting?.reject(new Error(`load run against ${waiting.url} failed: ${error}`))
      else waiting?.resolve(result)
    }
    if (pending.size === 0) referenced(false)
  })
  child.on('exit', (code) => {
    generator = undefined
    for (const waiting of pending.values())
      waiting.reject(new Error(`the load generator exited with ${code}\n${stderr}`))
    pending.clear()
  })
  generator = child
  return child
}

function referenced(on) {
  for (const handle of [generator, generator?.stdin, generator?.stdout, generator?.stderr]) {
    if (on) handle?.ref?.()
    else handle?.unref?.()
  }
}

/**
 * One autocannon run (bench/load.mjs) on the client core. With `rotate` = n, "{i}" in the URL turns
 * round-robin over 0 … n − 1.
 */
export function runLoad(url, connections, seconds, rotate) {
  return send({ url, connections, seconds, rotate })
}

/**
 * Unloaded latency of `urls` at the same moments: one request at a time to each in turn, `count`
 * each (bench/load.mjs alternate). Resolves { sides: [{ p50, p99, samples }] (in the order of
 * `urls`), non2xx }.
 */
export function runAlternating(urls, count) {
  return send({ url: urls.join(' '), alternate: urls, count })
}

function send(command) {
  const child = loadGenerator()
  const id = nextRunId++
  referenced(true)
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, url: command.url })
    child.stdin.write(`${JSON.stringify({ id, ...command })}\n`)
  })
}
