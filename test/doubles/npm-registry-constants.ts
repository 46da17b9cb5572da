/** Shared by vitest.config.ts (the registry double's origin) and the builder tests. */
export const NPM_REGISTRY_DOUBLE = {
  url: 'http://npm-registry.test',
} as const
