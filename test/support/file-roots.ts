import { afterEach } from 'vitest'

/**
 * Files roots of the origin private file system that no other test uses; after each test, every
 * root handed out is removed with what is in it. Call it once at the top of a `describe`.
 *
 * @example
 * const roots = fileRoots()
 * it('…', async () => {
 *   const root = roots.next() // 'test-files-<uuid>'
 *   createEngine({ files: { root } })
 * })
 */
export function fileRoots() {
  const made: string[] = []
  afterEach(async () => {
    const top = await navigator.storage.getDirectory()
    for (const root of made.splice(0)) await removeRoot(top, root)
  })
  return {
    next(): string {
      const root = `test-files-${crypto.randomUUID()}`
      made.push(root)
      return root
    },
  }
}

/**
 * Removes `root` with what is in it. A write whose attempt was cut (timeout, cancel) finishes
 * discarding its swap file just after its task failed; until then the folder cannot be removed
 * (`NoModificationAllowedError`), so that is tried again for up to a second.
 */
async function removeRoot(top: FileSystemDirectoryHandle, root: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await top.removeEntry(root, { recursive: true })
      return
    } catch (error) {
      // A test that never wrote leaves no folder.
      if (error instanceof DOMException && error.name === 'NotFoundError') return
      const held = error instanceof DOMException && error.name === 'NoModificationAllowedError'
      if (!held || tries >= 100) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}

/**
 * The file at `path` under `root`, read through handles fetched afresh from
 * `navigator.storage.getDirectory()`: what any other tab or a later visit would find.
 * `undefined` when there is none.
 */
export async function readBack(root: string, path: string): Promise<string | undefined> {
  const names = [root, ...path.split('/')]
  try {
    let folder = await navigator.storage.getDirectory()
    for (const name of names.slice(0, -1)) folder = await folder.getDirectoryHandle(name)
    const file = await (await folder.getFileHandle(names.at(-1)!)).getFile()
    return await file.text()
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotFoundError') return undefined
    throw error
  }
}

/** Writes `content` to `path` under `root` directly, creating the folders: a file the test starts with. */
export async function putFile(
  root: string,
  path: string,
  content: string | Uint8Array<ArrayBuffer>,
): Promise<void> {
  const names = [root, ...path.split('/')]
  let folder = await navigator.storage.getDirectory()
  for (const name of names.slice(0, -1)) folder = await folder.getDirectoryHandle(name, { create: true })
  const writable = await (await folder.getFileHandle(names.at(-1)!, { create: true })).createWritable()
  await writable.write(content)
  await writable.close()
}
