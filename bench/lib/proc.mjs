// What /proc tells about a server (a bench/server.mjs process and the workerd it started): the
// resident set (VmRSS) of its workerd, and the CPU time of the whole tree. Linux only; null elsewhere.
import { existsSync, readFileSync, readdirSync } from 'node:fs'

/** The processes under `pid` (its children, theirs, …) as { pid, name }. */
function descendants(pid) {
  const all = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'))
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1])
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
      // utime and stime: fields 14 and 15 of /proc/<pid>/stat, in clock ticks.
      all.push({ pid: Number(entry), ppid, name, ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // The process ended while we looked.
    }
  }
  const found = []
  const tree = new Set([pid])
  for (let grew = true; grew;) {
    grew = false
    for (const proc of all) {
      if (tree.has(proc.ppid) && !tree.has(proc.pid)) {
        tree.add(proc.pid)
        found.push(proc)
        grew = true
      }
    }
  }
  return found
}

/** VmRSS in MiB of the workerd process under the server process `pid`, or null. */
export function workerdRssMiB(pid) {
  if (!existsSync('/proc/self/status')) return null
  const workerd = descendants(pid).find((proc) => proc.name.startsWith('workerd'))
  if (!workerd) return null
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${workerd.pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : null
}

/**
 * CPU time (user + system, seconds) of the server process `pid` and everything under it, or null.
 * Requests per CPU second is what throughput would be on a dedicated core, and other work on the
 * machine disturbs it far less than requests per wall-clock second.
 */
export function cpuSeconds(pid) {
  if (!existsSync('/proc/self/stat')) return null
  const self = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = self.slice(self.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) + descendants(pid).reduce((sum, proc) => sum + proc.ticks, 0)
  // Linux reports CPU time in ticks of 1/100 s (USER_HZ) on every common architecture.
  return ticks / 100
}
