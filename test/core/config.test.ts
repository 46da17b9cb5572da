import { describe, expect, it } from 'vitest'
import devVarsExample from '../../.dev.vars.example?raw'
import configurationPage from '../../docs/configuration.md?raw'
import { CONFIG_VARS, type ConfigVars, ConfigError, parseConfig } from '../../src/core/config'

const base: ConfigVars = {}

describe('config', () => {
  it('defaults to dynamic-workers without credentials, with documented defaults', () => {
    const config = parseConfig(base)
    expect(config).toMatchObject({
      backend: 'dynamic-workers',
      cloudflare: undefined,
      dispatchNamespace: 'workers-for-platforms-example-project',
      maxScriptBytes: 1048576,
    })
  })

  it('keeps replaced code longer than KV propagation plus the mapping cache', () => {
    expect(parseConfig(base)).toMatchObject({ mappingCacheMs: 30_000, deploymentGraceMs: 120_000 })
    expect(parseConfig({ MAPPING_CACHE_SECONDS: '0', DEPLOYMENT_GRACE_SECONDS: '60' })).toMatchObject({
      mappingCacheMs: 0,
      deploymentGraceMs: 60_000,
    })
    expect(() => parseConfig({ MAPPING_CACHE_SECONDS: '90' })).toThrow(
      'DEPLOYMENT_GRACE_SECONDS must be at least 150: KV takes up to 60 s to propagate a change, and isolates trust their cached mapping for MAPPING_CACHE_SECONDS (90) more.',
    )
    expect(() => parseConfig({ MAPPING_CACHE_SECONDS: '-1' })).toThrow(
      'MAPPING_CACHE_SECONDS must be a whole number of seconds (0 or more); got "-1".',
    )
  })

  it('captures logs for 15 minutes after a change unless LOG_CAPTURE_AFTER_DEPLOY_MINUTES says otherwise', () => {
    expect(parseConfig(base).logCaptureAfterChangeMs).toBe(15 * 60_000)
    expect(parseConfig({ LOG_CAPTURE_AFTER_DEPLOY_MINUTES: '0' }).logCaptureAfterChangeMs).toBe(0)
    expect(parseConfig({ LOG_CAPTURE_AFTER_DEPLOY_MINUTES: '60' }).logCaptureAfterChangeMs).toBe(3_600_000)
    expect(() => parseConfig({ LOG_CAPTURE_AFTER_DEPLOY_MINUTES: '1.5' })).toThrow(
      'LOG_CAPTURE_AFTER_DEPLOY_MINUTES must be a whole number of minutes (0 or more); got "1.5".',
    )
  })

  it('switches to dispatch-namespace when token and account are both set', () => {
    const config = parseConfig({ ...base, CLOUDFLARE_API_TOKEN: 't', CLOUDFLARE_ACCOUNT_ID: 'a' })
    expect(config.backend).toBe('dispatch-namespace')
    expect(config.cloudflare).toEqual({
      apiToken: 't',
      accountId: 'a',
      namespace: 'workers-for-platforms-example-project',
      baseUrl: 'https://api.cloudflare.com/client/v4',
    })
  })

  it('ignores the untouched .env.test placeholders and blank values', () => {
    expect(
      parseConfig({ ...base, CLOUDFLARE_API_TOKEN: 'your_api_token', CLOUDFLARE_ACCOUNT_ID: 'your_account_id' })
        .backend,
    ).toBe('dynamic-workers')
    expect(parseConfig({ ...base, CLOUDFLARE_API_TOKEN: ' ', CLOUDFLARE_ACCOUNT_ID: 'a' }).backend).toBe(
      'dynamic-workers',
    )
  })

  it('lets USER_WORKERS_BACKEND override the automatic choice', () => {
    const config = parseConfig({
      ...base,
      CLOUDFLARE_API_TOKEN: 't',
      CLOUDFLARE_ACCOUNT_ID: 'a',
      USER_WORKERS_BACKEND: 'dynamic-workers',
    })
    expect(config.backend).toBe('dynamic-workers')
    expect(config.backendReason).toContain('USER_WORKERS_BACKEND')
  })

  it('strips a trailing slash from CLOUDFLARE_API_BASE_URL', () => {
    const config = parseConfig({
      ...base,
      CLOUDFLARE_API_TOKEN: 't',
      CLOUDFLARE_ACCOUNT_ID: 'a',
      CLOUDFLARE_API_BASE_URL: 'http://proxy.test/v4/',
    })
    expect(config.cloudflare?.baseUrl).toBe('http://proxy.test/v4')
  })

  it.each([
    [
      { USER_WORKERS_BACKEND: 'lambda' },
      'USER_WORKERS_BACKEND must be one of dynamic-workers, dispatch-namespace; got "lambda".',
    ],
    [{ METRICS: 'statsd' }, 'METRICS must be one of local, analytics-engine, off; got "statsd".'],
    // wrangler.jsonc's vars may hold any JSON: a setting that is not text is refused, not a TypeError.
    [{ MAX_HOPS: 5 as unknown as string }, "MAX_HOPS must be text (a string in wrangler.jsonc's vars); got a number."],
    [{ USER_WORKERS_TRUSTED: true as unknown as string }, 'USER_WORKERS_TRUSTED must be text'],
    [{ USER_WORKERS_BACKEND: 'dispatch-namespace' }, 'are not both set'],
    [{ MAX_SCRIPT_BYTES: '-5' }, 'MAX_SCRIPT_BYTES must be a positive integer'],
    [{ USER_WORKERS_COMPATIBILITY_DATE: 'yesterday' }, 'YYYY-MM-DD'],
    [
      { CLOUDFLARE_API_TOKEN: 'secret-value', CLOUDFLARE_ACCOUNT_ID: 'a', CLOUDFLARE_API_BASE_URL: 'not a url' },
      'not a valid URL',
    ],
  ])('rejects %o with a clear message', (vars, message) => {
    expect(() => parseConfig({ ...base, ...vars })).toThrow(ConfigError)
    expect(() => parseConfig({ ...base, ...vars })).toThrow(message)
    try {
      parseConfig({ ...base, ...vars })
    } catch (error) {
      expect(String(error)).not.toContain('secret-value')
    }
  })
})

describe('documented settings', () => {
  it('every setting is in .dev.vars.example and in docs/configuration.md, and nothing else is', () => {
    const documented = [...devVarsExample.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1])
    expect([...documented].sort()).toEqual([...CONFIG_VARS].sort())
    for (const name of CONFIG_VARS) expect(configurationPage).toContain(`\`${name}\``)
  })
})
