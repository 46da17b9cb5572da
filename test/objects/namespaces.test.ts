import { describe, expect, it } from 'vitest'
import { objectBindings, objectNamespaces, type ObjectMigration } from '../../src/objects/namespaces'

const step = (tag: string, parts: Partial<ObjectMigration>): ObjectMigration => ({
  tag,
  newClasses: [],
  renamedClasses: [],
  deletedClasses: [],
  ...parts,
})

describe("a project's Durable Object migrations, replayed", () => {
  it('keeps a class’s namespace through renames, however many', () => {
    const migrations = [
      step('v1', { newClasses: ['Counter'] }),
      step('v2', { renamedClasses: [{ from: 'Counter', to: 'Tally' }] }),
      step('v3', { renamedClasses: [{ from: 'Tally', to: 'Score' }] }),
    ]
    expect(objectBindings([{ binding: 'SCORE', className: 'Score' }], migrations)).toEqual([
      { binding: 'SCORE', className: 'Score', namespace: 'Counter' },
    ])
    expect(objectNamespaces(migrations).deleted).toEqual([])
  })

  it('lists a deleted class’s namespace for deletion, unless a later step creates it again', () => {
    const deleted = [step('v1', { newClasses: ['A', 'B'] }), step('v2', { deletedClasses: ['A'] })]
    expect(objectNamespaces(deleted).deleted).toEqual([{ className: 'A', namespace: 'A', tag: 'v2' }])
    const recreated = [...deleted, step('v3', { newClasses: ['A'] })]
    expect(objectNamespaces(recreated).deleted).toEqual([])
  })

  it('deletes a renamed class by its namespace, the name it was created with', () => {
    const migrations = [
      step('v1', { newClasses: ['Old'] }),
      step('v2', { renamedClasses: [{ from: 'Old', to: 'New' }] }),
      step('v3', { deletedClasses: ['New'] }),
    ]
    expect(objectNamespaces(migrations).deleted).toEqual([{ className: 'New', namespace: 'Old', tag: 'v3' }])
  })

  it('gives a class no migration mentions a namespace of its own name, as wrangler dev does', () => {
    expect(objectBindings([{ binding: 'X', className: 'Loose' }], [])).toEqual([
      { binding: 'X', className: 'Loose', namespace: 'Loose' },
    ])
  })
})
