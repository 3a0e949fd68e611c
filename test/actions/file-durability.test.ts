import { filter } from 'rxjs'
import { isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { file } from '../../src/actions/file'
import { WRITE_CHUNK } from '../../src/actions/file-system'
import { FileRoot } from '../../src/host/file-root'
import { handContext } from '../support/builtin-context'
import { def, testEngines, until } from '../support/engine-fixtures'
import { fileRoots, putFile, readBack } from '../support/file-roots'

/** A text of `chunks` write chunks and a bit: its write reports progress between chunks. */
const big = (chunks: number) => 'x'.repeat(chunks * WRITE_CHUNK + 10)

describe('file writes', () => {
  const open = testEngines()
  const roots = fileRoots()

  it('an aborted write leaves the old content, and no file where there was none', async () => {
    const root = roots.next()
    await putFile(root, 'a.txt', 'old content')
    const controller = new AbortController()
    const ctx = handContext({
      files: new FileRoot(root),
      signal: controller.signal,
      // The abort lands between two chunks of the write, once the first is in the swap file.
      progress: () => controller.abort(new Error('stop here')),
    })
    await expect(file({ op: 'write', path: 'a.txt', data: big(3) }, ctx)).rejects.toThrow('stop here')
    expect(await readBack(root, 'a.txt')).toBe('old content')

    const again = new AbortController()
    const fresh = handContext({
      files: new FileRoot(root),
      signal: again.signal,
      progress: () => again.abort(),
    })
    await expect(file({ op: 'write', path: 'new/b.txt', data: big(2) }, fresh)).rejects.toMatchObject({
      name: 'AbortError',
    })
    expect(await readBack(root, 'new/b.txt')).toBeUndefined()
    await expect(
      file({ op: 'list', path: 'new' }, handContext({ files: new FileRoot(root) })),
    ).resolves.toEqual({
      entries: [],
    })
  })

  it('a task timing out mid-write fails with TIMEOUT and the file keeps its old content', async () => {
    const root = roots.next()
    await putFile(root, 'a.txt', 'old content')
    const { engine, clock } = open({ files: { root } })
    // The attempt's time runs out as the write reports its first chunk.
    engine.events$.pipe(filter(isRunEvent)).subscribe((event) => {
      if (event.type === 'task.progress') clock.advance(5_000)
    })
    await engine.register(
      def({ t: { action: 'file', params: { op: 'write', path: 'a.txt', data: big(4) }, timeoutMs: 1_000 } }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.tasks.t).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } })
    expect(await readBack(root, 'a.txt')).toBe('old content')
  })

  it('a write is on disk, for a fresh handle, when its task.completed is published', async () => {
    const root = roots.next()
    const { engine } = open({ files: { root } })
    const seen: Promise<string | undefined>[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((event: WorkflowEvent) => {
      if (event.type === 'task.completed' && event.taskId === 't') seen.push(readBack(root, 'out/a.json'))
    })
    await engine.register(
      def({ t: { action: 'file', params: { op: 'write', path: 'out/a.json', data: { n: 1 } } } }),
    )
    await engine.wait((await engine.start('wf')).runId)
    expect(seen).toHaveLength(1)
    expect(await seen[0]).toBe('{"n":1}')
  })

  it('appends of one file by tasks running at once each land: they take turns on the path', async () => {
    const root = roots.next()
    const { engine } = open({ files: { root } })
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`)
    await engine.register(
      def({
        t: {
          action: 'file',
          forEach: 'input.lines',
          concurrency: 8,
          params: { op: 'append', path: 'log.txt', data: '${ item + "\\n" }' },
        },
      }),
    )
    const view = await engine.wait((await engine.start('wf', { lines })).runId)
    expect(view.status).toBe('completed')
    const written = (await readBack(root, 'log.txt'))!.split('\n').filter(Boolean)
    expect(written.sort()).toEqual(lines)
  })

  it('a task cancelled while another holds its path stops waiting and writes nothing', async () => {
    const root = roots.next()
    const { engine } = open({ files: { root } })
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let taken = false
    const holding = navigator.locks.request(`spindle:files:${root}/a.txt`, () => {
      taken = true
      return held
    })
    await until(() => taken)
    await engine.register(def({ t: { action: 'file', params: { op: 'write', path: 'a.txt', data: 'new' } } }))
    const { runId } = await engine.start('wf')
    await until(async () => (await engine.getRun(runId))?.tasks.t?.status === 'running')
    await engine.cancel(runId)
    expect((await engine.wait(runId)).status).toBe('cancelled')
    release()
    await holding
    expect(await readBack(root, 'a.txt')).toBeUndefined()
  })
})
