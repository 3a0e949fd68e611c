import type { RunView } from 'spindle'
import { describe, expect, it } from 'vitest'
import readme from '../../README.md?raw'
import { file } from '../../src/actions/file'
import { FileRoot } from '../../src/host/file-root'
import { handContext } from '../support/builtin-context'
import { def, testEngines } from '../support/engine-fixtures'
import { fileRoots, putFile, readBack } from '../support/file-roots'

/** `file` tasks, each after the one before it (in the order written). */
function chain(steps: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const ids = Object.keys(steps)
  return Object.fromEntries(
    ids.map((id, i) => [
      id,
      {
        action: 'file',
        params: steps[id],
        ...(i > 0 ? { dependsOn: [ids[i - 1]] } : {}),
        retry: { maxAttempts: 3 },
      },
    ]),
  )
}

describe('the file action', () => {
  const open = testEngines()
  const roots = fileRoots()

  /** Runs `tasks` to their end on an engine whose files root is new. */
  async function run(tasks: Record<string, unknown>, before?: (root: string) => Promise<void>) {
    const root = roots.next()
    await before?.(root)
    const { engine } = open({ files: { root } })
    await engine.register(def(tasks))
    const view: RunView = await engine.wait((await engine.start('wf')).runId)
    return { view, root, output: (id: string) => view.tasks[id]!.output }
  }

  it('writes text, JSON and bytes and reads each back in its encoding', async () => {
    const { view, output, root } = await run(
      chain({
        text: { op: 'write', path: 'notes/a.txt', data: 'héllo' },
        json: { op: 'write', path: 'data/order.json', data: { id: 'A-1', lines: [1, 2] } },
        readText: { op: 'read', path: 'notes/a.txt' },
        readJson: { op: 'read', path: 'data/order.json', encoding: 'json' },
        readBytes: { op: 'read', path: 'notes/a.txt', encoding: 'bytes' },
        writeBytes: { op: 'write', path: 'copy.bin', data: '${ tasks.readBytes.output }' },
        readCopy: { op: 'read', path: 'copy.bin' },
      }),
    )
    expect(view.status).toBe('completed')
    expect(output('text')).toEqual({ path: 'notes/a.txt' })
    expect(output('readText')).toBe('héllo')
    expect(output('readJson')).toEqual({ id: 'A-1', lines: [1, 2] })
    expect(output('readBytes')).toBeInstanceOf(Uint8Array)
    expect([...(output('readBytes') as Uint8Array)]).toEqual([...new TextEncoder().encode('héllo')])
    expect(output('readCopy')).toBe('héllo')
    expect(await readBack(root, 'data/order.json')).toBe('{"id":"A-1","lines":[1,2]}')
  })

  it('appends to the end of a file, creating it; a JSON append adds one JSON line', async () => {
    const { view, root } = await run(
      chain({
        a: { op: 'append', path: 'log/run.txt', data: 'one\n' },
        b: { op: 'append', path: 'log/run.txt', data: 'two\n' },
        bytes: { op: 'read', path: 'log/run.txt', encoding: 'bytes' },
        c: { op: 'append', path: 'log/run.txt', data: '${ tasks.bytes.output }', encoding: 'bytes' },
        d: { op: 'append', path: 'log/events.jsonl', data: { n: 1 } },
        e: { op: 'append', path: 'log/events.jsonl', data: ['x'], encoding: 'json' },
      }),
    )
    expect(view.status).toBe('completed')
    expect(await readBack(root, 'log/run.txt')).toBe('one\ntwo\none\ntwo\n')
    expect(await readBack(root, 'log/events.jsonl')).toBe('{"n":1}\n["x"]\n')
  })

  it('copies and moves files and folders, overwriting a file at the target', async () => {
    const { view, root, output } = await run(
      chain({
        copy: { op: 'copy', path: 'in/a.txt', to: 'out/b.txt' },
        copyDir: { op: 'copy', path: 'in', to: 'backup/in' },
        move: { op: 'move', path: 'in/a.txt', to: 'done/a.txt' },
        moveDir: { op: 'move', path: 'backup', to: 'archive/2026' },
      }),
      async (root) => {
        await putFile(root, 'in/a.txt', 'A')
        await putFile(root, 'in/deep/c.txt', 'C')
        await putFile(root, 'out/b.txt', 'old, longer content')
      },
    )
    expect(view.status).toBe('completed')
    expect(output('copy')).toEqual({ path: 'out/b.txt' })
    expect(output('move')).toEqual({ path: 'done/a.txt' })
    expect(await readBack(root, 'out/b.txt')).toBe('A')
    expect(await readBack(root, 'done/a.txt')).toBe('A')
    expect(await readBack(root, 'in/a.txt')).toBeUndefined()
    expect(await readBack(root, 'archive/2026/in/a.txt')).toBe('A')
    expect(await readBack(root, 'archive/2026/in/deep/c.txt')).toBe('C')
    expect(await readBack(root, 'backup/in/a.txt')).toBeUndefined()
  })

  it('a move whose source is missing fails on its first attempt, even when its target is there', async () => {
    const { view, root } = await run(chain({ move: { op: 'move', path: 'a.txt', to: 'b.txt' } }), (root) =>
      putFile(root, 'b.txt', 'there before'),
    )
    expect(view.tasks.move).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NOT_FOUND' } })
    expect(view.tasks.move!.error!.message).toContain('"a.txt"')
    expect(await readBack(root, 'b.txt')).toBe('there before')
  })

  it('a retried move whose source is gone and whose target is there counts as done (after a crash)', async () => {
    const root = roots.next()
    await putFile(root, 'b.txt', 'moved before')
    const ctx = handContext({ files: new FileRoot(root), attempt: 2 })
    await expect(file({ op: 'move', path: 'a.txt', to: 'b.txt' }, ctx)).resolves.toEqual({ path: 'b.txt' })
    const copy = file({ op: 'copy', path: 'a.txt', to: 'b.txt' }, ctx)
    await expect(copy).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it.each([
    ['move', 'a'],
    ['move', 'a/b'],
    ['copy', 'a'],
    ['copy', 'a/b'],
  ])(
    'refuses a %s of folder "a/b" to computed "%s" (itself or a folder holding it), touching nothing',
    async (op, to) => {
      const { view, root } = await run(
        {
          dest: { action: 'transform', params: { value: to } },
          t: {
            action: 'file',
            params: { op, path: 'a/b', to: '${ tasks.dest.output }' },
            dependsOn: ['dest'],
            retry: { maxAttempts: 3 },
          },
        },
        async (root) => {
          await putFile(root, 'a/b/b/x.txt', 'x')
          await putFile(root, 'a/b/y.txt', 'y')
        },
      )
      expect(view.tasks.t).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INPUT_INVALID' } })
      expect(await readBack(root, 'a/b/b/x.txt')).toBe('x')
      expect(await readBack(root, 'a/b/y.txt')).toBe('y')
      expect(await readBack(root, 'a/y.txt')).toBeUndefined()
    },
  )

  it('lists a folder (the root when path is left out) and stats files and folders', async () => {
    const { view, output } = await run(
      chain({
        list: { op: 'list', path: 'f' },
        top: { op: 'list' },
        file: { op: 'stat', path: 'f/b.txt' },
        folder: { op: 'stat', path: 'f/sub' },
        root: { op: 'stat', path: '' },
      }),
      async (root) => {
        await putFile(root, 'f/b.txt', 'bb')
        await putFile(root, 'f/a.txt', 'a')
        await putFile(root, 'f/sub/c.txt', 'c')
      },
    )
    expect(view.status).toBe('completed')
    expect(output('list')).toEqual({
      entries: [
        { name: 'a.txt', kind: 'file', size: 1 },
        { name: 'b.txt', kind: 'file', size: 2 },
        { name: 'sub', kind: 'directory' },
      ],
    })
    expect(output('top')).toEqual({ entries: [{ name: 'f', kind: 'directory' }] })
    expect(output('file')).toEqual({ kind: 'file', size: 2, modified: expect.any(Number) })
    expect(output('folder')).toEqual({ kind: 'directory', size: 0, modified: null })
    expect(output('root')).toEqual({ kind: 'directory', size: 0, modified: null })
  })

  it('deletes a file, a folder with recursive, and nothing at all', async () => {
    const { view, root } = await run(
      chain({
        file: { op: 'delete', path: 'a.txt' },
        folder: { op: 'delete', path: 'f', recursive: true },
        missing: { op: 'delete', path: 'never/there.txt' },
      }),
      async (root) => {
        await putFile(root, 'a.txt', 'a')
        await putFile(root, 'f/b.txt', 'b')
      },
    )
    expect(view.tasks.file).toMatchObject({ status: 'completed', output: { path: 'a.txt' } })
    expect(view.tasks.missing).toMatchObject({ status: 'completed', output: { path: 'never/there.txt' } })
    expect(await readBack(root, 'a.txt')).toBeUndefined()
    expect(await readBack(root, 'f/b.txt')).toBeUndefined()
  })

  /** The error of a run of one `file` task with `params` (retries allowed), and how many attempts it made. */
  async function failure(params: Record<string, unknown>) {
    const { view } = await run(chain({ t: params }), async (root) => {
      await putFile(root, 'f/a.txt', 'not { json')
      await putFile(root, 'g/c.txt', 'c')
    })
    return {
      attempts: view.tasks.t!.attempts,
      code: view.tasks.t!.error?.code,
      message: view.tasks.t!.error?.message,
    }
  }

  it.each([
    ['a missing file', { op: 'read', path: 'nope.txt' }, 'NOT_FOUND', '"nope.txt"'],
    [
      'a missing folder on the way',
      { op: 'stat', path: 'no/such/folder.txt' },
      'NOT_FOUND',
      'check the path',
    ],
    ['a folder read as a file', { op: 'read', path: 'f' }, 'FILE_FAILED', 'a folder where a file'],
    [
      'content that is not JSON',
      { op: 'read', path: 'f/a.txt', encoding: 'json' },
      'FILE_FAILED',
      'encoding "text"',
    ],
    ['a file listed as a folder', { op: 'list', path: 'f/a.txt' }, 'FILE_FAILED', 'a file where a folder'],
    ['a copy of nothing', { op: 'copy', path: 'nope.txt', to: 'b.txt' }, 'NOT_FOUND', '"nope.txt"'],
    [
      'a write under a file',
      { op: 'write', path: 'f/a.txt/b.txt', data: 'x' },
      'FILE_FAILED',
      'f/a.txt/b.txt',
    ],
    ['a full folder deleted without recursive', { op: 'delete', path: 'g' }, 'FILE_FAILED', 'recursive'],
  ])('fails at once, without retries: %s', async (_, params, code, says) => {
    expect(await failure(params)).toEqual({ attempts: 1, code, message: expect.stringContaining(says) })
  })

  it('leaves a full folder in place when its delete fails', async () => {
    const { view, root } = await run(chain({ t: { op: 'delete', path: 'g' } }), (root) =>
      putFile(root, 'g/c.txt', 'c'),
    )
    expect(view.tasks.t!.status).toBe('failed')
    expect(await readBack(root, 'g/c.txt')).toBe('c')
  })
})

/** The JSON definition of the README's "Files" section, as written there. */
function readmeExample(): unknown {
  const section = readme.slice(readme.indexOf('### Files'))
  return JSON.parse(
    section.slice(section.indexOf('```json') + 7, section.indexOf('```', section.indexOf('```json') + 7)),
  )
}

describe('the file example of the README', () => {
  const open = testEngines()
  const roots = fileRoots()

  it('reads the day’s orders, writes a report, appends a log line and archives the orders', async () => {
    const root = roots.next()
    await putFile(root, 'orders/today.json', '[{"id":"A-1","total":30},{"id":"A-2","total":12}]')
    const { engine } = open({ files: { root } })
    await engine.register(readmeExample())
    const { runId } = await engine.start('daily-report')
    const view = await engine.wait(runId)
    expect(view.status).toBe('completed')
    expect(JSON.parse((await readBack(root, `reports/${runId}.json`))!)).toEqual({
      orders: 2,
      ids: ['A-1', 'A-2'],
    })
    expect(await readBack(root, 'reports/log.jsonl')).toBe(`{"run":"${runId}","orders":2}\n`)
    expect(await readBack(root, 'orders/today.json')).toBeUndefined()
    expect(await readBack(root, `orders/done/${runId}.json`)).toContain('A-2')
  })
})
