// A project's `_redirects` and `_headers` files, with the semantics of Cloudflare's Workers static
// assets (docs: workers/static-assets/redirects and headers): parsed when a deployment is made (a
// rule that does not parse refuses it, naming the line), applied when its assets answer.
import { PlatformError } from '../core/errors'
import { truncate } from '../lib/format'
import type { AssetConfig, DeploymentAssets } from '../core/model'

/** The files' names: in a project's assets directory, and as `assets.config` keys of an upload. */
export const REDIRECTS_FILE = '_redirects'
export const HEADERS_FILE = '_headers'

/** Cloudflare's limits: static and dynamic (splat or placeholder) redirects, header rules, line length. */
export const RULE_LIMITS = { staticRedirects: 2_000, dynamicRedirects: 100, headerRules: 100, lineLength: 2_000 }

const REDIRECT_STATUSES = [200, 301, 302, 303, 307, 308] as const
type RedirectStatus = (typeof REDIRECT_STATUSES)[number]

/** A path pattern: `*` (the splat) and `:name` placeholders, compiled once. */
interface Pattern {
  source: string
  regexp: RegExp
}

interface RedirectRule {
  from: Pattern
  to: string
  status: RedirectStatus
}

/** The redirects: exact paths first (a map), then the dynamic ones in the file's order. */
export interface Redirects {
  exact: Map<string, RedirectRule>
  dynamic: RedirectRule[]
}

export interface HeaderRule {
  path: Pattern
  set: [string, string][]
  unset: string[]
}

/** What a redirect rule makes of a path: go elsewhere (3xx), or serve another path's asset (200). */
export interface RedirectMatch {
  to: string
  status: RedirectStatus
}

/** The `_redirects` file's rules; throws PlatformError (400) naming the first line that is wrong. */
export function parseRedirects(text: string): Redirects {
  const redirects: Redirects = { exact: new Map(), dynamic: [] }
  for (const { number, line } of lines(REDIRECTS_FILE, text)) {
    const fail = (why: string) => invalid(REDIRECTS_FILE, number, line, why)
    const [from, to, code, ...rest] = line.split(/\s+/)
    if (!from || !to || rest.length > 0) throw fail('a rule is "<from> <to> [status]"')
    if (!from.startsWith('/'))
      throw fail('<from> must be a path starting with "/" (domain-level redirects are not supported)')
    const status = REDIRECT_STATUSES.find((allowed) => allowed === (code === undefined ? 302 : Number(code)))
    if (status === undefined) throw fail(`the status must be one of ${REDIRECT_STATUSES.join(', ')}`)
    if (status === 200 && !to.startsWith('/'))
      throw fail('a 200 rule serves another path of the site: <to> must start with "/"')
    const rule: RedirectRule = { from: pattern(from), to, status }
    if (isDynamic(from)) redirects.dynamic.push(rule)
    else if (!redirects.exact.has(from)) redirects.exact.set(from, rule)
  }
  if (redirects.exact.size > RULE_LIMITS.staticRedirects || redirects.dynamic.length > RULE_LIMITS.dynamicRedirects) {
    throw new PlatformError(
      'invalid_request',
      `${REDIRECTS_FILE} may hold at most ${RULE_LIMITS.staticRedirects} exact and ${RULE_LIMITS.dynamicRedirects} dynamic rules (with * or :placeholders).`,
    )
  }
  return redirects
}

/** The `_headers` file's rules; throws PlatformError (400) naming the first line that is wrong. */
export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = []
  for (const { number, line, indented } of lines(HEADERS_FILE, text)) {
    const fail = (why: string) => invalid(HEADERS_FILE, number, line, why)
    if (!indented) {
      if (!line.startsWith('/'))
        throw fail('a rule starts with a path ("/…", not indented); absolute URLs are not supported')
      rules.push({ path: pattern(line), set: [], unset: [] })
      continue
    }
    const rule = rules.at(-1)
    if (!rule) throw fail('a header line (indented) must follow a path')
    const unset = line.startsWith('!')
    const colon = line.indexOf(':')
    if (!unset && colon <= 0) throw fail('a header line is "Name: value" (or "! Name" to remove one)')
    const name = (unset ? line.slice(1) : line.slice(0, colon)).trim()
    if (!HEADER_NAME.test(name)) throw fail(`"${name}" is not a header name`)
    if (unset) rule.unset.push(name.toLowerCase())
    else rule.set.push([name.toLowerCase(), line.slice(colon + 1).trim()])
  }
  if (rules.length > RULE_LIMITS.headerRules) {
    throw new PlatformError('invalid_request', `${HEADERS_FILE} may hold at most ${RULE_LIMITS.headerRules} rules.`)
  }
  return rules
}

/**
 * A project's assets with its `/_redirects` and `/_headers` files taken out into the config, as
 * wrangler does: they are rules, never served as files. Files an upload's config already gives win.
 */
export function withRuleFiles(assets: DeploymentAssets): DeploymentAssets {
  const text = (name: string) => {
    const file = assets.files.find((entry) => entry.path === `/${name}`)
    return file && new TextDecoder().decode(file.content)
  }
  const redirects = assets.config._redirects ?? text(REDIRECTS_FILE)
  const headers = assets.config._headers ?? text(HEADERS_FILE)
  return {
    files: assets.files.filter((file) => file.path !== `/${REDIRECTS_FILE}` && file.path !== `/${HEADERS_FILE}`),
    config: {
      ...assets.config,
      ...(redirects !== undefined ? { _redirects: redirects } : {}),
      ...(headers !== undefined ? { _headers: headers } : {}),
    },
  }
}

/** Refuses a deployment whose rules do not parse (400, naming the file and line). */
export function checkAssetRules(config: AssetConfig): void {
  if (config._redirects !== undefined) parseRedirects(config._redirects)
  if (config._headers !== undefined) parseHeaders(config._headers)
}

/** The redirect for `path`, if a rule matches it (exact rules win; then the first dynamic one). */
export function redirectFor(redirects: Redirects, path: string): RedirectMatch | null {
  const exact = redirects.exact.get(path)
  if (exact) return { to: exact.to, status: exact.status }
  for (const rule of redirects.dynamic) {
    const match = rule.from.regexp.exec(path)
    if (match) return { to: substitute(rule.to, match.groups ?? {}), status: rule.status }
  }
  return null
}

/**
 * The headers the rules give a response for `path`: every matching rule applies, in order; a name
 * set by two rules gets both values (joined as one list); `! Name` removes one (the asset's own too).
 */
export function headersFor(rules: HeaderRule[], path: string): { set: Map<string, string>; unset: Set<string> } {
  const set = new Map<string, string>()
  const unset = new Set<string>()
  for (const rule of rules) {
    const match = rule.path.regexp.exec(path)
    if (!match) continue
    for (const name of rule.unset) {
      unset.add(name)
      set.delete(name)
    }
    for (const [name, value] of rule.set) {
      const filled = substitute(value, match.groups ?? {})
      const before = set.get(name)
      set.set(name, before === undefined ? filled : `${before}, ${filled}`)
    }
  }
  return { set, unset }
}

function isDynamic(path: string): boolean {
  return path.includes('*') || /:[A-Za-z]/.test(path)
}

/** `*` matches anything (the splat, given to `:splat`); `:name` one path segment; the rest literally. */
function pattern(source: string): Pattern {
  let splats = 0
  const body = source
    .split(/(\*|:[A-Za-z]\w*)/)
    .map((part) => {
      if (part === '*') return splats++ === 0 ? '(?<splat>.*)' : '.*'
      if (/^:[A-Za-z]\w*$/.test(part)) return part === ':splat' ? '[^/]+' : `(?<${part.slice(1)}>[^/]+)`
      return part.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')
    })
    .join('')
  return { source, regexp: new RegExp(`^${body}$`) }
}

/** Fills `:splat` and `:name` in a destination or a header value from what the pattern matched. */
function substitute(template: string, groups: Record<string, string | undefined>): string {
  return template.replace(/:([A-Za-z]\w*)/g, (whole, name: string) => groups[name] ?? whole)
}

/** An HTTP field name (RFC 9110's token). */
const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/

/** The file's meaningful lines: comments (#) and blank lines left out, each with its number. */
function* lines(file: string, text: string): Generator<{ number: number; line: string; indented: boolean }> {
  const all = text.split(/\r?\n/)
  for (const [index, raw] of all.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    if (raw.length > RULE_LIMITS.lineLength) {
      throw new PlatformError(
        'invalid_request',
        `${file}, line ${index + 1}: longer than ${RULE_LIMITS.lineLength} characters.`,
      )
    }
    yield { number: index + 1, line, indented: /^\s/.test(raw) }
  }
}

function invalid(file: string, number: number, line: string, why: string): PlatformError {
  return new PlatformError('invalid_request', `${file}, line ${number} ("${truncate(line, 80)}"): ${why}.`)
}
