import { ArgumentError, createEngine } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'
import { fileRoots, readBack } from '../support/file-roots'

/** Paths that could leave the root, or read as something they are not; each with what the refusal says. */
const BAD_PATHS: [string, unknown, string][] = [
  ['a ".." name', '../outside.txt', '".." name'],
  ['a ".." name inside', 'a/../../outside.txt', '".." name'],
  ['a "." name', 'a/./b.txt', '"." name'],
  ['an absolute path', '/etc/passwd', 'relative'],
  ['a backslash', 'a\\..\\b', 'separate names with "/"'],
  ['a "//"', 'a//b.txt', 'empty name'],
  ['a trailing "/"', 'a/', 'empty name'],
  ['an empty path', '', 'it is empty'],
  ['not a string', 42, 'not a string'],
  ['a NUL', 'a\u0000b.txt', 'U+0000'],
  ['a newline', 'a\nb.txt', 'U+000A'],
  ['a bidi override', 'invoice\u202Etxt.exe', 'U+202E'],
  ['a bidi isolate', 'a\u2067b', 'U+2067'],
  ['a zero-width space', 'a\u200Bb.txt', 'U+200B'],
  ['a byte order mark', '\uFEFFa.txt', 'U+FEFF'],
  ['a lone surrogate', 'a\uD800.txt', 'U+D800'],
  ['a line separator', 'a\u2028b', 'U+2028'],
  ['NFD (a decomposed é)', 'cafe\u0301.txt', 'NFC'],
  ['full-width dots', '\uFF0E\uFF0E/outside.txt', 'NFKC'],
  ['a full-width solidus', 'a\uFF0Fb.txt', 'NFKC'],
  ['a ligature', '\uFB01le.txt', 'NFKC'],
  ['a name with a leading space', ' a.txt', 'white space'],
  ['a name with a trailing space', 'a/b.txt ', 'white space'],
  ['a name over 255 characters', `${'n'.repeat(256)}.txt`, 'over 255'],
  ['a path over 1024 characters', Array.from({ length: 30 }, () => 'x'.repeat(40)).join('/'), 'over 1024'],
  ['more than 32 names deep', Array.from({ length: 33 }, () => 'd').join('/'), 'over 32'],
]

describe('file paths', () => {
  const open = testEngines()
  const roots = fileRoots()

  it.each(BAD_PATHS)(
    'a run refuses %s before it touches anything, without retries',
    async (_, path, says) => {
      const root = roots.next()
      const { engine } = open({ files: { root } })
      const write = { op: 'write', path: '${ input.path }', data: 'x' }
      const copy = { op: 'copy', path: 'in.txt', to: '${ input.path }' }
      for (const [id, params] of [
        ['write', write],
        ['copy', copy],
      ] as const) {
        await engine.register(def({ t: { action: 'file', params, retry: { maxAttempts: 3 } } }, { id }))
        const view = await engine.wait((await engine.start(id, { path })).runId)
        expect(view.tasks.t).toMatchObject({
          status: 'failed',
          attempts: 1,
          error: { code: 'INPUT_INVALID' },
        })
        expect(view.tasks.t!.error!.message).toContain(says)
      }
      // Not even the root folder was made.
      const top = await navigator.storage.getDirectory()
      await expect(top.getDirectoryHandle(root)).rejects.toMatchObject({ name: 'NotFoundError' })
    },
  )

  it.each(BAD_PATHS)('register refuses %s written as it is', async (_, path, says) => {
    const { engine } = open()
    const result = engine.validate(def({ t: { action: 'file', params: { op: 'read', path } } }))
    expect(result.issues).toEqual([
      { path: 'tasks.t.params.path', code: 'param_invalid', message: expect.stringContaining(says) },
    ])
  })

  it('takes names in any script, spaces inside names, dots inside names', async () => {
    const root = roots.next()
    const { engine } = open({ files: { root } })
    const path = 'отчёты/2026 Q1/日本語.v2.tar.gz'
    await engine.register(def({ t: { action: 'file', params: { op: 'write', path, data: 'ok' } } }))
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.status).toBe('completed')
    expect(await readBack(root, path)).toBe('ok')
  })
})

describe('EngineOptions.files', () => {
  const open = testEngines()
  const roots = fileRoots()

  it('puts the files under a nested root', async () => {
    const root = roots.next()
    const { engine } = open({ files: { root: `${root}/apps/orders` } })
    await engine.register(def({ t: { action: 'file', params: { op: 'write', path: 'a.txt', data: 'A' } } }))
    expect((await engine.wait((await engine.start('wf')).runId)).status).toBe('completed')
    expect(await readBack(root, 'apps/orders/a.txt')).toBe('A')
  })

  it.each([
    ['not an object', 'spindle', 'an object like'],
    ['an unknown field', { rot: 'x' }, 'files.rot is not an option'],
    ['a root that leaves the file system root', { root: '../x' }, '".." name'],
    ['an absolute root', { root: '/spindle' }, 'relative'],
    ['an empty root', { root: '' }, 'empty'],
    ['a root with a bidi override', { root: 'a\u202Eb' }, 'U+202E'],
  ])('createEngine refuses %s with an ArgumentError', (_, files, says) => {
    const make = () => createEngine({ files: files as never, recover: false })
    expect(make).toThrow(ArgumentError)
    expect(make).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(says) }),
    )
  })
})
