// ESLint: correctness rules only. Layout is Prettier's job (.prettierrc.json); eslint-config-prettier
// turns off every rule that would disagree with it. TypeScript gets the type-checked rules, through
// the same tsconfig.json that `npm run typecheck` uses.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** The folders of src/ that are features (docs/architecture.md#code-layout). */
const FEATURES = [
  'accounts',
  'assets',
  'backends',
  'cache',
  'client-api',
  'cron',
  'deploy',
  'dispatch',
  'logs',
  'metrics',
  'names',
  'objects',
  'storage',
]
/** The web layer: HTTP, pages and the app; no feature or use case imports it. */
const WEB = [
  '../routes',
  '../routes/*',
  '../middleware',
  '../middleware/*',
  '../views',
  '../views/*',
  '../context',
  '../index',
]
/**
 * A feature's Durable Objects and the entrypoints user Workers are wired to: other features reach
 * them through the feature's use cases (their types may be named anywhere).
 */
const INTERNALS = [
  '../*/*.do',
  '../logs/log-tail',
  '../dispatch/egress-gate',
  '../storage/tenant-kv',
  '../storage/tenant-sql',
  '../objects/tenant-objects',
]

/**
 * Imports point one way: lib ← core ← features ← platform (the composition) ← web. Checked per
 * folder with no-restricted-imports, so a wrong import fails `npm run lint` with the rule it breaks.
 */
function boundaries() {
  const rule = (group, message, allowTypeImports = false) => ({
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group, message, allowTypeImports }] }],
  })
  const features = FEATURES.map((feature) => `src/${feature}/**`)
  return [
    {
      files: ['src/lib/**'],
      rules: rule(['../*'], 'lib/ is generic: it imports nothing else of the platform.'),
    },
    {
      files: ['src/core/**'],
      rules: rule(['../*', '!../lib', '!../lib/*'], 'core/ is below every feature: it imports only lib/.'),
    },
    {
      files: features,
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['../platform', '../platform/*', ...WEB],
                message: 'A feature is below the platform and the web layer: they import it, not the other way.',
              },
              {
                group: INTERNALS,
                allowTypeImports: true,
                message: "Another feature's Durable Object or entrypoint: go through that feature's use cases.",
              },
            ],
          },
        ],
      },
    },
    {
      files: ['src/platform/**'],
      rules: rule(WEB, 'The platform composes the features; the web layer is above it.'),
    },
    {
      files: ['src/views/**'],
      rules: rule(
        ['../routes', '../routes/*', '../middleware', '../middleware/*', '../platform', '../platform/*', ...INTERNALS],
        'Views render values: they import the model and the values features define, never the routes or the platform.',
        true,
      ),
    },
    {
      files: ['src/routes/**', 'src/middleware/**'],
      rules: rule(
        ['../index', ...INTERNALS],
        "Routes call the platform's use cases, not Durable Objects or entrypoints directly.",
        true,
      ),
    },
  ]
}

export default defineConfig(
  {
    // Any folder's .wrangler/ (wrangler dev -c builder/wrangler.jsonc writes builder/.wrangler/tmp/).
    ignores: ['**/node_modules/', '**/.wrangler/', '**/dist/', 'worker-configuration.d.ts', 'docs/'],
  },
  {
    files: ['**/*.{js,mjs,ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `catch {}` is how a best-effort step says "failure is fine here".
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `_name` marks an argument or binding kept on purpose (a signature, a destructured rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  ...boundaries(),
  // Plain JavaScript is outside tsconfig.json: no type information, so no type-checked rules.
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  // Node scripts: tooling, the end-to-end tests and the benchmark (ES modules run by Node).
  {
    files: ['**/*.mjs', 'eslint.config.js', 'vitest.config.ts'],
    languageOptions: { globals: globals.node },
  },
  // The end-to-end tests also hold browser code: the callbacks they pass to page.evaluate().
  {
    files: ['test/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // Worker scripts written in JavaScript: the API and npm registry doubles, the benchmark's
  // baseline and the build benchmark's driver.
  {
    files: ['test/doubles/**/*.js', 'bench/baseline/**/*.js', 'bench/build/**/*.js'],
    languageOptions: { globals: globals.serviceworker },
  },
  // The Vite + React example has its own dependencies and tsconfig (installed only when it is
  // built): linted here without type information; its browser code sees the browser's globals.
  {
    files: ['examples/vite-react/**/*.{ts,tsx}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.browser },
  },
  // Example tenant projects: their public/ scripts run in the browser.
  {
    files: ['examples/*/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  prettier,
)
