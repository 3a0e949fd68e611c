import { TaskError } from '../errors'
import { dataEncoding, type FileParams, fileParamsProblems, jsonText } from '../file-params'
import { type FileEncoding, fileNames } from '../file-paths'
import type { BuiltinAction, BuiltinContext } from './builtin-context'
import { copyEntry, entryAt, fileFailure, removeEntry, writeFile } from './file-system'

/** An entry of a `list` output. */
export interface FileEntry {
  name: string
  kind: 'file' | 'directory'
  /** In bytes, for a file. */
  size?: number
}

/**
 * Reads and writes the origin private file system under `EngineOptions.files.root`, e.g.
 * `{ "action": "file", "params": { "op": "write", "path": "out/report.json", "data": "${ tasks.sum.output }" } }`.
 *
 * `read` gives the content (`encoding` `text`, the default, `json` or `bytes`, a Uint8Array);
 * `write` replaces a file and `append` adds to its end (a `json` append adds one JSON line),
 * creating the missing folders on the way; `copy` and `move` (a copy, then the source deleted)
 * overwrite a file at `to` (never `path`, inside it or a folder holding it); a retried `move`
 * whose source is gone and whose `to` is there is done; `delete` removes a file, or a folder when empty or with
 * `recursive: true`, and succeeds when nothing is there; `list` gives `{ entries }` of a folder
 * (the root when `path` is left out); `stat` gives `{ size, modified, kind }`. Others give
 * `{ path }`, the path written. A write is on disk before the task completes; an aborted one
 * leaves the old content. Writes, appends, copies, moves and deletes of one path take turns
 * across every tab and worker of the origin.
 *
 * @throws TaskError `INPUT_INVALID` for bad params or a path that could leave the root,
 * `NOT_FOUND` for a missing file, `FILE_FAILED` for a file where a folder is needed (or the
 * reverse), a folder that is not empty, content that is not JSON, a full quota.
 */
export const file: BuiltinAction = async (params: unknown, ctx: BuiltinContext) => {
  const p = checked(params)
  const { files, signal } = ctx
  signal.throwIfAborted()
  const names = p.path === '' ? [] : fileNames(p.path)
  try {
    const root = await files.directory()
    switch (p.op) {
      case 'read':
        return await read(root, names, p.encoding ?? 'text')
      case 'list':
        return { entries: await list(root, names) }
      case 'stat':
        return await stat(root, names)
      case 'write':
      case 'append': {
        const bytes = contentBytes(p.data, p.encoding, p.op === 'append')
        const append = p.op === 'append'
        const progress = (fraction: number) => ctx.progress(fraction)
        await files.exclusive([p.path], signal, () =>
          writeFile(root, names, { bytes, append, signal, progress }),
        )
        return { path: p.path }
      }
      case 'delete':
        await files.exclusive([p.path], signal, () => remove(root, names, p.recursive ?? false))
        return { path: p.path }
      default: {
        const to = p.to!
        await files.exclusive([p.path, to], signal, () => copyOrMove(root, p, fileNames(to), ctx))
        return { path: to }
      }
    }
  } catch (error) {
    throw fileFailure(error, p.op, p.path, files.root)
  }
}

function checked(params: unknown): FileParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TaskError('INPUT_INVALID', 'The file action needs params { op, path, … }.', { value: params })
  }
  const problems = fileParamsProblems(params as Record<string, unknown>)
  if (problems.length > 0) {
    throw new TaskError('INPUT_INVALID', problems.map((problem) => problem.message).join(' '), {
      value: params,
      retryable: false,
    })
  }
  const p = params as FileParams
  return { ...p, path: p.path ?? '' }
}

async function read(root: FileSystemDirectoryHandle, names: string[], encoding: FileEncoding) {
  const entry = await entryAt(root, names)
  if (entry === undefined) throw new DOMException('missing', 'NotFoundError')
  if (entry.kind !== 'file') throw new DOMException('a folder', 'TypeMismatchError')
  const content = await entry.getFile()
  if (encoding === 'bytes') return new Uint8Array(await content.arrayBuffer())
  const text = await content.text()
  if (encoding === 'text') return text
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new TaskError(
      'FILE_FAILED',
      `file read: "${names.join('/')}" is not JSON (${(error as Error).message}); read it with encoding "text".`,
      { retryable: false, value: names.join('/'), cause: error },
    )
  }
}

async function list(root: FileSystemDirectoryHandle, names: string[]): Promise<FileEntry[]> {
  const folder = await entryAt(root, names)
  if (folder === undefined) throw new DOMException('missing', 'NotFoundError')
  if (folder.kind !== 'directory') throw new DOMException('a file', 'TypeMismatchError')
  const entries: FileEntry[] = []
  for await (const [name, entry] of folder.entries()) {
    entries.push(
      entry.kind === 'file'
        ? { name, kind: 'file', size: (await entry.getFile()).size }
        : { name, kind: 'directory' },
    )
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** A folder has neither size nor time in the origin private file system: 0 and null. */
async function stat(root: FileSystemDirectoryHandle, names: string[]) {
  const entry = await entryAt(root, names)
  if (entry === undefined) throw new DOMException('missing', 'NotFoundError')
  if (entry.kind === 'directory') return { kind: 'directory', size: 0, modified: null }
  const content = await entry.getFile()
  return { kind: 'file', size: content.size, modified: content.lastModified }
}

/** Nothing there is success: a retry of a delete that went through finds nothing. */
async function remove(root: FileSystemDirectoryHandle, names: string[], recursive: boolean) {
  if ((await entryAt(root, names)) === undefined) return
  await removeEntry(root, names, recursive)
}

async function copyOrMove(
  root: FileSystemDirectoryHandle,
  p: FileParams,
  to: string[],
  { signal, attempt }: BuiltinContext,
) {
  const from = await entryAt(root, fileNames(p.path))
  if (from === undefined) {
    // A retried move whose earlier attempt went through (the source gone, the target there) is
    // done; on a first attempt that is a mistyped source, not a success.
    if (p.op === 'move' && attempt > 1 && (await entryAt(root, to)) !== undefined) return
    throw new DOMException('missing', 'NotFoundError')
  }
  await copyEntry(root, from, to, signal)
  if (p.op === 'move') await removeEntry(root, fileNames(p.path), true)
}

function contentBytes(data: unknown, encoding: FileEncoding | undefined, append: boolean): Uint8Array {
  switch (dataEncoding(data, encoding)) {
    case 'bytes':
      return data as Uint8Array
    case 'text':
      return new TextEncoder().encode(data as string)
    default: {
      // Appended JSON is one line per value (JSON Lines), so the file can be read back line by line.
      const text = jsonText(data)!
      return new TextEncoder().encode(append ? `${text}\n` : text)
    }
  }
}
