import type { BuiltinFiles } from '../actions/builtin-context'
import { TaskError } from '../errors'
import { fileNames } from '../file-paths'

/** The root folder of the `file` action when `EngineOptions.files.root` is left out. */
export const DEFAULT_FILES_ROOT = 'spindle'

/**
 * The `files` capability: the folder `root` (a path `filePathProblem` accepts, checked at
 * `createEngine`) of the origin private file system, from `navigator.storage.getDirectory()`,
 * in a page or a worker alike.
 *
 * @example
 * const files = new FileRoot('apps/orders')
 * const folder = await files.directory() // <OPFS>/apps/orders, created when missing
 */
export class FileRoot implements BuiltinFiles {
  readonly root: string

  constructor(root: string = DEFAULT_FILES_ROOT) {
    this.root = root
  }

  async directory(): Promise<FileSystemDirectoryHandle> {
    const storage = globalThis.navigator?.storage
    if (typeof storage?.getDirectory !== 'function') {
      throw new TaskError(
        'FILE_FAILED',
        'The file action needs the origin private file system (navigator.storage.getDirectory), which this context lacks; run the engine in a browser page or worker of a secure origin.',
        { retryable: false },
      )
    }
    // Walked on every call, never kept: a handle to a folder someone removed meanwhile would
    // fail every later operation.
    let folder = await storage.getDirectory()
    for (const name of fileNames(this.root)) folder = await folder.getDirectoryHandle(name, { create: true })
    return folder
  }

  exclusive<T>(paths: readonly string[], signal: AbortSignal, use: () => Promise<T>): Promise<T> {
    // One order for every caller, so two tasks that lock the same two paths cannot deadlock.
    const names = [...new Set(paths)].sort().map((path) => `spindle:files:${this.root}/${path}`)
    const take = (index: number): Promise<T> => {
      if (index === names.length) return use()
      return navigator.locks.request(names[index]!, { signal }, () => take(index + 1)) as Promise<T>
    }
    return take(0)
  }
}
