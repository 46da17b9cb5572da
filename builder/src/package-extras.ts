import { looseObject, optional, record, string, type InferOutput } from 'valibot'
import { BuildFailed } from './failure'
import type { ProjectFiles } from './input'
import { text } from './project'
import { parseDocument, plainObject } from './schema'
import { errorMessage } from '../../src/lib/errors'

// What the builder reads of package.json beside project.ts's schema (main, exports, dependencies):
// devDependencies, installed when the Worker imports them (wrangler bundles whatever is imported),
// and scripts.build, which tells where the project's build writes its output.

const PackageExtrasSchema = plainObject(
  looseObject({
    devDependencies: optional(
      plainObject(
        record(string(), string('must be a version range (a string).')),
        'must map package names to version ranges.',
      ),
    ),
    scripts: optional(plainObject(looseObject({ build: optional(string('must be a string.')) }), 'must be an object.')),
  }),
  'the file must hold an object.',
)

export type PackageExtras = InferOutput<typeof PackageExtrasSchema>

/** package.json's devDependencies and scripts.build; empty without a package.json. */
export function readPackageExtras(files: ProjectFiles): PackageExtras {
  const source = text(files, 'package.json')
  if (source === undefined) return {}
  const fail = (message: string) => BuildFailed.user(message, { file: 'package.json' })
  let json: unknown
  try {
    json = JSON.parse(source)
  } catch (error) {
    throw fail(`package.json is not valid: ${errorMessage(error)}`)
  }
  return parseDocument(PackageExtrasSchema, json, 'package.json', fail)
}
