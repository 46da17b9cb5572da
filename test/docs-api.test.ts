import { describe, expect, it } from 'vitest'
import apiPage from '../docs/api.md?raw'
import { EXAMPLE_SCRIPT } from '../src/views/upload'
import { exports } from 'cloudflare:workers'
import { platform, postForm } from './helpers'

// Runs the curl section of docs/api.md, in order, the way a new user pastes it after the quick start.
// A small interpreter covers the shell the block uses (a heredoc, VAR=$(jq -r …), jq -Rs, pipes into
// curl and tee, quoting and $VAR expansion); curl requests go to the Worker under test. Every curl
// command must be followed by a `# → <status>` comment, which is asserted.

const DEV_ORIGIN = 'http://localhost:8787'

interface Step {
  line: string
  expected?: number
}

function curlSection(markdown: string): string {
  const section = markdown.slice(markdown.indexOf('## curl'))
  const match = /```sh\n([\s\S]*?)```/.exec(section)
  if (!match?.[1]) throw new Error('docs/api.md: no ```sh block under ## curl')
  return match[1]
}

/** Logical lines (continuations joined), heredocs turned into files, status comments attached. */
function parse(block: string, files: Map<string, string>): Step[] {
  const lines = block.replace(/\\\n\s*/g, '').split('\n')
  const steps: Step[] = []
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim()
    const heredoc = /^cat > (\S+) <<'(\w+)'$/.exec(line)
    if (heredoc?.[1] && heredoc[2]) {
      const body: string[] = []
      while (lines[++index] !== heredoc[2]) body.push(lines[index] ?? '')
      files.set(heredoc[1], `${body.join('\n')}\n`)
      continue
    }
    const status = /^# → (\d{3})\b/.exec(line)
    if (status?.[1]) {
      const last = steps.at(-1)
      if (!last || last.expected !== undefined) throw new Error(`docs/api.md: "${line}" follows no command`)
      last.expected = Number(status[1])
      continue
    }
    if (line && !line.startsWith('#')) steps.push({ line })
  }
  return steps
}

/** Shell words: quotes, $VAR and $(…) expansion; an unquoted # starts a comment; | separates commands. */
function words(line: string, vars: Map<string, string>): string[][] {
  const pipeline: string[][] = [[]]
  let word: string | undefined
  const push = (text: string) => (word = (word ?? '') + text)
  const expand = (text: string) => text.replace(/\$(\w+)/g, (_, name: string) => vars.get(name) ?? '')
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? ''
    if (char === "'") {
      const end = line.indexOf("'", i + 1)
      push(line.slice(i + 1, end))
      i = end
    } else if (char === '"') {
      // Up to the next unescaped quote; \" and \\ inside stand for themselves, as in sh.
      let end = i + 1
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1
      push(expand(line.slice(i + 1, end)).replace(/\\(["\\])/g, '$1'))
      i = end
    } else if (char === '$' && line[i + 1] === '(') {
      const end = line.indexOf(')', i)
      push(`$(${line.slice(i + 2, end)})`)
      i = end
    } else if (/\s/.test(char)) {
      if (word !== undefined) pipeline.at(-1)?.push(word)
      word = undefined
    } else if (char === '#' && word === undefined) {
      break
    } else if (char === '|' && word === undefined) {
      pipeline.push([])
    } else {
      push(expand(char === '$' ? (line.slice(i).match(/^\$\w+/)?.[0] ?? '$') : char))
      if (char === '$') i += (line.slice(i).match(/^\$\w+/)?.[0].length ?? 1) - 1
    }
  }
  if (word !== undefined) pipeline.at(-1)?.push(word)
  return pipeline
}

/** jq as the block uses it: `-r .field[.field…] file` and `-Rs '{key: ., key: "text"}' file`. */
function jq(args: string[], files: Map<string, string>): string {
  const [flags, filter, file] = args
  const input = files.get(file ?? '')
  if (input === undefined) throw new Error(`jq: no file ${file}`)
  if (flags === '-r' && filter?.startsWith('.')) {
    let value: unknown = JSON.parse(input)
    for (const key of filter.slice(1).split('.')) value = (value as Record<string, unknown>)[key]
    return String(value)
  }
  if (flags === '-Rs' && filter) {
    const object: Record<string, string> = {}
    for (const entry of filter.replace(/^\{|\}$/g, '').split(',')) {
      const [key, value] = entry.split(':').map((part) => part.trim())
      if (!key || !value) throw new Error(`jq: cannot read ${filter}`)
      object[key] = value === '.' ? input : (JSON.parse(value) as string)
    }
    return JSON.stringify(object)
  }
  throw new Error(`jq: unsupported ${args.join(' ')}`)
}

async function curl(args: string[], stdin: string | undefined, files: Map<string, string>) {
  let method: string | undefined
  let url = ''
  const headers = new Headers()
  let body: string | FormData | undefined
  const read = (value: string) => {
    if (value === '@-') return stdin ?? ''
    if (!value.startsWith('@')) return value
    const content = files.get(value.slice(1))
    if (content === undefined) throw new Error(`curl: no file ${value}`)
    return content
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const next = () => args[++i] ?? ''
    if (arg === '-X') method = next()
    else if (arg === '-H') {
      const header = next()
      const at = header.indexOf(':')
      headers.set(header.slice(0, at), header.slice(at + 1).trim())
    } else if (arg === '--data-binary') body = read(next())
    else if (arg === '-F') {
      const [name = '', value = ''] = next().split(/=(.*)/s)
      const form = body instanceof FormData ? body : new FormData()
      if (value.startsWith('@')) form.append(name, new File([read(value)], value.slice(1)))
      else form.append(name, value)
      body = form
    } else if (arg === '-i' || arg === '-s') continue
    else if (arg.startsWith('-')) throw new Error(`curl: unsupported option ${arg}`)
    else url = arg
  }
  // curl sends --data-binary and -F as a form post unless told otherwise.
  if (typeof body === 'string' && !headers.has('content-type')) {
    headers.set('content-type', 'application/x-www-form-urlencoded')
  }
  if (!url.startsWith(DEV_ORIGIN)) throw new Error(`curl: ${url} is not the dev server`)
  const init = { method: method ?? (body ? 'POST' : 'GET'), headers, body }
  // -H 'Host: …' (a custom domain): the Worker sees that host in the URL, as behind curl it would.
  const host = headers.get('host')
  headers.delete('host')
  const res = host
    ? await exports.default.fetch(new Request(`http://${host}${url.slice(DEV_ORIGIN.length)}`, init))
    : await platform(url.slice(DEV_ORIGIN.length), init)
  return { status: res.status, body: await res.text() }
}

describe('docs/api.md: the curl section', () => {
  it('works pasted in order after the quick start, each status as its comment says', async () => {
    // The quick start: the upload form with its example, under the name "hello".
    expect((await postForm({ name: 'hello', script: EXAMPLE_SCRIPT })).status).toBe(303)

    const files = new Map<string, string>()
    const vars = new Map<string, string>()
    const steps = parse(curlSection(apiPage), files)
    expect(steps.filter((step) => step.line.includes('curl ')).length).toBeGreaterThanOrEqual(8)
    for (const step of steps) {
      const assignment = /^(\w+)=(.*)$/.exec(step.line)
      const pipeline = words(assignment ? (assignment[2] ?? '') : step.line, vars)
      if (assignment?.[1]) {
        const [command] = pipeline
        const jqCall = /^\$\(jq (.*)\)$/.exec(command?.[0] ?? '')
        if (!jqCall?.[1]) throw new Error(`unsupported assignment: ${step.line}`)
        vars.set(assignment[1], jq(words(jqCall[1], vars)[0] ?? [], files))
        continue
      }
      let stdin: string | undefined
      let status: number | undefined
      for (const [program, ...args] of pipeline) {
        if (program === 'jq') stdin = jq(args, files)
        else if (program === 'tee') files.set(args[0] ?? '', stdin ?? '')
        else if (program === 'curl') ({ status, body: stdin } = await curl(args, stdin, files))
        else throw new Error(`unsupported command: ${program}`)
      }
      if (pipeline.some(([program]) => program === 'curl')) {
        expect(step.expected, `"${step.line}" needs a "# → <status>" comment`).toBeDefined()
        expect({ command: step.line, status }).toEqual({ command: step.line, status: step.expected })
      }
    }
    expect(vars.get('TOKEN')).toMatch(/^dt_/)
    expect(vars.get('API_TOKEN')).toMatch(/^at_/)
  })
})
