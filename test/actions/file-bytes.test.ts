import { filter } from 'rxjs'
import { createEngine, type Engine, isRunEvent, simulatedClock, type WorkflowEvent } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def } from '../support/engine-fixtures'
import { fileRoots, putFile } from '../support/file-roots'

/** Every byte value, so that no text decoding could pass them through unchanged. */
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i) as Uint8Array<ArrayBuffer>

describe('bytes read by the file action', () => {
  const temp = tempStores()
  const roots = fileRoots()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (store: string, root: string) => {
    const engine = createEngine({ store: temp.open(store), clock: simulatedClock(), files: { root } })
    engines.push(engine)
    return engine
  }

  it('stay a Uint8Array in the IndexedDB journal, for a later engine, and write back byte for byte', async () => {
    const root = roots.next()
    await putFile(root, 'all.bin', ALL_BYTES)

    const name = temp.open().name
    const first = open(name, root)
    const events: WorkflowEvent[] = []
    first.events$.pipe(filter(isRunEvent)).subscribe((event) => events.push(event))
    await first.register(
      def({
        read: { action: 'file', params: { op: 'read', path: 'all.bin', encoding: 'bytes' } },
        write: {
          action: 'file',
          params: { op: 'write', path: 'copy.bin', data: '${ tasks.read.output }' },
          dependsOn: ['read'],
        },
      }),
    )
    const { runId } = await first.start('wf')
    expect((await first.wait(runId)).status).toBe('completed')
    const completed = events.find((e) => e.type === 'task.completed' && e.taskId === 'read')
    expect((completed as { output: unknown }).output).toEqual(ALL_BYTES)
    await first.close()

    const second = open(name, root)
    const output = (await second.getRun(runId))!.tasks.read!.output
    expect(output).toBeInstanceOf(Uint8Array)
    expect(output).toEqual(ALL_BYTES)
    const history = await second.history(runId)
    const journaled = history.find((e) => e.type === 'task.completed' && e.taskId === 'read')
    expect((journaled as { output: unknown }).output).toEqual(ALL_BYTES)

    const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(root)
    const copy = await (await (await folder.getFileHandle('copy.bin')).getFile()).arrayBuffer()
    expect(new Uint8Array(copy)).toEqual(ALL_BYTES)
  })
})
