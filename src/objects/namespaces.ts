import type { ObjectBinding } from '../core/model'

/** One step of a project's Durable Object `migrations` (new_classes and new_sqlite_classes alike). */
export interface ObjectMigration {
  tag: string
  newClasses: string[]
  renamedClasses: { from: string; to: string }[]
  deletedClasses: string[]
}

/**
 * Where each class's objects live after a project's migrations, replayed in order: a class's
 * namespace is the name it was created with, carried through `renamed_classes` (so a rename keeps
 * the objects); `deleted_classes` ends one, and its objects are deleted at deploy. A class no
 * migration mentions lives in a namespace of its own name, as under `wrangler dev`.
 */
export function objectNamespaces(migrations: ObjectMigration[]): {
  namespaces: Map<string, string>
  deleted: { className: string; namespace: string; tag: string }[]
} {
  const namespaces = new Map<string, string>()
  const deleted = new Map<string, { className: string; namespace: string; tag: string }>()
  for (const { tag, newClasses, renamedClasses, deletedClasses } of migrations) {
    for (const className of newClasses) {
      namespaces.set(className, className)
      deleted.delete(className)
    }
    for (const { from, to } of renamedClasses) {
      namespaces.set(to, namespaces.get(from) ?? from)
      namespaces.delete(from)
    }
    for (const className of deletedClasses) {
      const namespace = namespaces.get(className) ?? className
      namespaces.delete(className)
      deleted.set(namespace, { className, namespace, tag })
    }
  }
  return { namespaces, deleted: [...deleted.values()] }
}

/** A project's Durable Object bindings with the namespace each one's class lives in. */
export function objectBindings(
  declared: { binding: string; className: string }[],
  migrations: ObjectMigration[],
): ObjectBinding[] {
  const { namespaces } = objectNamespaces(migrations)
  return declared.map(({ binding, className }) => ({
    binding,
    className,
    namespace: namespaces.get(className) ?? className,
  }))
}
