import { TaskError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { FileRoot } from '../../src/host/file-root'
import { until } from '../support/engine-fixtures'
import { fileRoots } from '../support/file-roots'

/** A promise and the function that resolves it. */
function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

describe('FileRoot', () => {
  const roots = fileRoots()
  const signal = new AbortController().signal

  it('makes the root and its parents on first use, and finds them again', async () => {
    const root = roots.next()
    const files = new FileRoot(`${root}/apps/orders`)
    const folder = await files.directory()
    expect(folder.name).toBe('orders')
    await folder.getFileHandle('a.txt', { create: true })
    const again = await files.directory()
    expect(await again.getFileHandle('a.txt')).toBeDefined()
    const top = await navigator.storage.getDirectory()
    expect(await (await top.getDirectoryHandle(root)).getDirectoryHandle('apps')).toBeDefined()
  })

  it('refuses, with a FILE_FAILED that retrying cannot cure, where there is no origin private file system', async () => {
    Object.defineProperty(navigator, 'storage', { value: undefined, configurable: true })
    try {
      const failure = await new FileRoot(roots.next()).directory().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(TaskError)
      expect(failure).toMatchObject({ code: 'FILE_FAILED', retryable: false })
      expect((failure as Error).message).toContain('navigator.storage.getDirectory')
    } finally {
      // The own property hid the prototype's getter: removing it brings the real one back.
      delete (navigator as { storage?: unknown }).storage
    }
    expect(typeof navigator.storage.getDirectory).toBe('function')
  })

  it('lets one holder of a path work at a time, and holders of other paths meanwhile', async () => {
    const files = new FileRoot(roots.next())
    const order: string[] = []
    const first = gate()
    const a1 = files.exclusive(['a.txt'], signal, async () => {
      order.push('a1 in')
      await first.opened
      order.push('a1 out')
    })
    const a2 = files.exclusive(['a.txt'], signal, async () => {
      order.push('a2 in')
    })
    await until(() => order.includes('a1 in'))
    await files.exclusive(['b.txt'], signal, async () => {
      order.push('b')
    })
    expect(order).toEqual(['a1 in', 'b'])
    first.open()
    await Promise.all([a1, a2])
    expect(order).toEqual(['a1 in', 'b', 'a1 out', 'a2 in'])
  })

  it('takes two paths in one order whatever order they are named in, so crossed copies cannot deadlock', async () => {
    const files = new FileRoot(roots.next())
    const done: string[] = []
    await Promise.all([
      files.exclusive(['a.txt', 'b.txt'], signal, async () => {
        done.push('a→b')
      }),
      files.exclusive(['b.txt', 'a.txt'], signal, async () => {
        done.push('b→a')
      }),
    ])
    expect(done.sort()).toEqual(['a→b', 'b→a'])
  })

  it('stops waiting for a held path when the signal aborts', async () => {
    const files = new FileRoot(roots.next())
    const held = gate()
    const holder = files.exclusive(['a.txt'], signal, () => held.opened)
    const controller = new AbortController()
    let ran = false
    const waiting = files.exclusive(['a.txt'], controller.signal, async () => {
      ran = true
    })
    controller.abort(new Error('cancelled'))
    await expect(waiting).rejects.toThrow('cancelled')
    held.open()
    await holder
    expect(ran).toBe(false)
  })
})
