// How one setting's text becomes a value: every setting is an optional string, and unset, blank and
// placeholder values all mean "the default". Each refusal names the setting (ConfigError).

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseWholeSeconds(name: string, value: string | undefined): number | undefined {
  return parseWhole(name, value, ' of seconds')
}

export function parseWholeMinutes(name: string, value: string | undefined): number | undefined {
  return parseWhole(name, value, ' of minutes')
}

/** A count (0 or more), such as a budget. */
export function parseCount(name: string, value: string | undefined): number | undefined {
  return parseWhole(name, value, '')
}

function parseWhole(name: string, value: string | undefined, unit: string): number | undefined {
  const text = clean(value)
  if (text === undefined) return undefined
  const number = Number(text)
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new ConfigError(`${name} must be a whole number${unit} (0 or more); got "${text}".`)
  }
  return number
}

export function parseSecret(name: string, value: string | undefined): string | undefined {
  const secret = value?.trim()
  if (!secret) return undefined
  // A short secret could be guessed; the message must not repeat it.
  if (secret.length < 32) throw new ConfigError(`${name} must be at least 32 characters long.`)
  return secret
}

export function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  if (value === 'true' || value === 'false') return value === 'true'
  throw new ConfigError(`${name} must be "true" or "false"; got "${value}".`)
}

/** Treats unset, blank and the `.env.test` placeholders alike, so a copied template still runs locally. */
export function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  if (!trimmed || isPlaceholder(trimmed)) return undefined
  return trimmed
}

export function isPlaceholder(value: string | undefined): boolean {
  return value !== undefined && /^your_/.test(value.trim())
}

/** An http(s) URL without a trailing slash. */
export function parseUrl(name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL.`)
  }
  return url.href.replace(/\/+$/, '')
}

/** One of `choices`, or a ConfigError naming the setting, the choices and what it got. */
export function parseChoice<T extends string>(name: string, choices: readonly T[], value: string): T {
  const choice = choices.find((known) => known === value)
  if (choice === undefined) throw new ConfigError(`${name} must be one of ${choices.join(', ')}; got "${value}".`)
  return choice
}

export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
  const text = clean(value)
  if (text === undefined) return undefined
  const number = Number(text)
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new ConfigError(`${name} must be a positive integer; got "${text}".`)
  }
  return number
}
