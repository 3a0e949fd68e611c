import { filter } from 'rxjs'
import { isRunEvent, type WorkflowDefinition, type WorkflowEvent } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { fileRoots, readBack } from '../support/file-roots'
import { engineWorker, uniqueDb } from './engine-worker'

const files: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'files',
  version: '1.0.0',
  tasks: {
    write: { action: 'file', params: { op: 'write', path: 'in/a.txt', data: 'from the worker' } },
    append: { action: 'file', params: { op: 'append', path: 'in/a.txt', data: '!' }, dependsOn: ['write'] },
    bytes: {
      action: 'file',
      params: { op: 'read', path: 'in/a.txt', encoding: 'bytes' },
      dependsOn: ['append'],
    },
    list: { action: 'file', params: { op: 'list', path: 'in' }, dependsOn: ['append'] },
  },
}

describe('the file action in a worker engine', () => {
  const roots = fileRoots()

  it('writes the origin private file system the page reads, and its bytes reach the page as a Uint8Array', async () => {
    const root = roots.next()
    const worker = engineWorker({ db: uniqueDb('files'), store: 'memory', files: { root } })
    const engine = connectEngine(worker)
    try {
      const events: WorkflowEvent[] = []
      engine.events$.pipe(filter(isRunEvent)).subscribe((event) => events.push(event))
      await engine.register(files)
      const view = await engine.wait((await engine.start('files')).runId, { timeoutMs: 10_000 })
      expect(view.status).toBe('completed')
      const text = 'from the worker!'
      expect(view.tasks.bytes!.output).toBeInstanceOf(Uint8Array)
      expect(view.tasks.bytes!.output).toEqual(new TextEncoder().encode(text))
      expect(view.tasks.list!.output).toEqual({
        entries: [{ name: 'a.txt', kind: 'file', size: text.length }],
      })
      expect(await readBack(root, 'in/a.txt')).toBe(text)
      await expect
        .poll(() => events.find((e) => e.type === 'task.completed' && e.taskId === 'bytes'))
        .toMatchObject({ output: new TextEncoder().encode(text) })
      const published = events.find((e) => e.type === 'task.completed' && e.taskId === 'bytes')
      expect((published as { output: unknown }).output).toBeInstanceOf(Uint8Array)
    } finally {
      await engine.close()
      worker.terminate()
    }
  })
})
