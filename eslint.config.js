// ESLint: correctness rules only. Layout is Prettier's job (.prettierrc.json); eslint-config-prettier
// turns off every rule that would disagree with it. TypeScript gets the type-checked rules, through
// the same tsconfig.json that `npm run typecheck` uses.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    // Any folder's .wrangler/ (wrangler dev -c builder/wrangler.jsonc writes builder/.wrangler/tmp/).
    ignores: ['**/node_modules/', '**/.wrangler/', 'dist/', 'worker-configuration.d.ts', 'docs/'],
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
  // Example tenant projects: their public/ scripts run in the browser.
  {
    files: ['examples/*/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  prettier,
)
