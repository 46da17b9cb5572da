// Vite's import.meta.glob, which the builder tests use to read files from node_modules/ and
// examples/ at bundle time (the tests run inside workerd, without a file system).
interface ImportMeta {
  glob: import('vite/types/importGlob.d.ts').ImportGlobFunction
}
