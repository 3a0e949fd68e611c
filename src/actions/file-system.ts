import { TaskError } from '../errors'

/*
 * The origin private file system operations of the `file` action, on paths already checked
 * (`filePathProblem`). Failures the file system reports become TaskErrors that say which path
 * and what to do (see `fileFailure`).
 */

type Entry = FileSystemFileHandle | FileSystemDirectoryHandle

/** Bytes written per `write()` call: between two, an abort is seen and progress reported. */
export const WRITE_CHUNK = 1 << 20

/** The folder at `names` under `root`; `create` makes the missing ones. */
export async function folderAt(
  root: FileSystemDirectoryHandle,
  names: readonly string[],
  create: boolean,
): Promise<FileSystemDirectoryHandle> {
  let folder = root
  for (const name of names) folder = await folder.getDirectoryHandle(name, { create })
  return folder
}

/** The file or folder at `names` (the root for none), or `undefined` when there is none. */
export async function entryAt(
  root: FileSystemDirectoryHandle,
  names: readonly string[],
): Promise<Entry | undefined> {
  if (names.length === 0) return root
  try {
    const parent = await folderAt(root, names.slice(0, -1), false)
    const name = names.at(-1)!
    try {
      return await parent.getFileHandle(name)
    } catch (error) {
      if (!isDomError(error, 'TypeMismatchError')) throw error
      return await parent.getDirectoryHandle(name)
    }
  } catch (error) {
    // Missing, or a file where a parent folder should be: nothing is at this path.
    if (isDomError(error, 'NotFoundError') || isDomError(error, 'TypeMismatchError')) return undefined
    throw error
  }
}

/** What a write puts into the file, and how it reports on a long one. */
export interface WriteJob {
  bytes: Uint8Array
  /** Keep the content and add `bytes` at its end. */
  append: boolean
  signal: AbortSignal
  progress(fraction: number): void
}

/**
 * Writes through a swap file (`createWritable`): the file holds its old content until `close()`
 * moves the new one in, so an abort or a crash before that leaves the old content whole.
 * Resolves once `close()` has, so the content is on disk before the task completes.
 */
export async function writeFile(root: FileSystemDirectoryHandle, names: readonly string[], job: WriteJob) {
  const folder = await folderAt(root, names.slice(0, -1), true)
  const name = names.at(-1)!
  const existed = (await entryAt(folder, [name])) !== undefined
  const handle = await folder.getFileHandle(name, { create: true })
  const writable = await handle.createWritable({ keepExistingData: job.append })
  try {
    if (job.append) await writable.seek((await handle.getFile()).size)
    const { bytes, signal } = job
    for (let at = 0; at < bytes.length; at += WRITE_CHUNK) {
      signal.throwIfAborted()
      await writable.write(bytes.subarray(at, at + WRITE_CHUNK) as Uint8Array<ArrayBuffer>)
      if (bytes.length > WRITE_CHUNK) job.progress(Math.min(1, (at + WRITE_CHUNK) / bytes.length))
    }
    signal.throwIfAborted()
  } catch (error) {
    // Discards the swap file; should that fail too, its error is the one the task gets.
    await writable.abort(error)
    // A file this write created stays absent, as it was.
    if (!existed) await folder.removeEntry(name)
    throw error
  }
  await writable.close()
}

/** Copies the file or folder `from` to the path `to` (a folder merges into one that exists). */
export async function copyEntry(
  root: FileSystemDirectoryHandle,
  from: Entry,
  to: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted()
  if (from.kind === 'file') {
    const folder = await folderAt(root, to.slice(0, -1), true)
    const handle = await folder.getFileHandle(to.at(-1)!, { create: true })
    const writable = await handle.createWritable()
    try {
      // A Blob is streamed from disk: the file is never held in memory whole.
      await writable.write(await from.getFile())
      signal.throwIfAborted()
    } catch (error) {
      await writable.abort(error)
      throw error
    }
    await writable.close()
    return
  }
  await folderAt(root, to, true)
  for await (const [name, entry] of from.entries()) await copyEntry(root, entry, [...to, name], signal)
}

/** Removes the file or folder at `names`; a folder with entries only when `recursive`. */
export async function removeEntry(
  root: FileSystemDirectoryHandle,
  names: readonly string[],
  recursive: boolean,
) {
  const parent = await folderAt(root, names.slice(0, -1), false)
  await parent.removeEntry(names.at(-1)!, { recursive })
}

/** True when `error` is a `DOMException` named `name`. */
export function isDomError(error: unknown, name: string): boolean {
  return error instanceof DOMException && error.name === name
}

/**
 * The TaskError for a failure of `op` on `path` that the file system reported, or `error` as it
 * is when it is not one of those (an abort keeps its reason).
 */
export function fileFailure(error: unknown, op: string, path: string, root: string): unknown {
  const where = `"${path || '.'}" under the files root "${root}"`
  const stop = { retryable: false, value: path, cause: error }
  if (isDomError(error, 'NotFoundError'))
    return new TaskError(
      'NOT_FOUND',
      `file ${op}: nothing at ${where}; check the path (list its folder).`,
      stop,
    )
  if (isDomError(error, 'TypeMismatchError'))
    return new TaskError(
      'FILE_FAILED',
      `file ${op}: ${where} is a folder where a file is needed, or a file where a folder is needed.`,
      stop,
    )
  if (isDomError(error, 'InvalidModificationError'))
    return new TaskError(
      'FILE_FAILED',
      `file ${op}: the folder ${where} is not empty; set params.recursive to true to delete it with everything in it.`,
      stop,
    )
  if (isDomError(error, 'QuotaExceededError'))
    return new TaskError(
      'FILE_FAILED',
      `file ${op}: the origin's storage quota is used up writing ${where}; delete files, then retry.`,
      { value: path, cause: error },
    )
  if (isDomError(error, 'NoModificationAllowedError'))
    return new TaskError(
      'FILE_FAILED',
      `file ${op}: ${where} is held open by a sync access handle elsewhere; a retry succeeds once that closes.`,
      { value: path, cause: error },
    )
  return error
}
