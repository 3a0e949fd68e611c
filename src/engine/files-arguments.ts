import { ArgumentError } from '../errors'
import { filePathProblem } from '../file-paths'

/**
 * `EngineOptions.files`: `{ root? }`, the root a path under the origin private file system that
 * the `file` action's path rules accept. Refused at `createEngine`, before any run reaches it.
 *
 * @example
 * checkFilesOption({ root: 'apps/orders' }) // fine
 * checkFilesOption({ root: '../x' })        // ArgumentError: … it has a ".." name …
 */
export function checkFilesOption(files: unknown): void {
  if (files === undefined) return
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw new ArgumentError(
      `createEngine: "files" must be an object like { root: 'spindle' }; got ${show(files)}.`,
      { value: files },
    )
  }
  const unknown = Object.keys(files).find((key) => key !== 'root')
  if (unknown !== undefined) {
    throw new ArgumentError(`createEngine: files.${unknown} is not an option; the only one is "root".`, {
      value: files,
    })
  }
  const { root } = files as { root?: unknown }
  if (root === undefined) return
  const problem = filePathProblem(root)
  if (problem !== undefined) {
    throw new ArgumentError(
      `createEngine: files.root ${show(root)} is refused: ${problem}. Name a folder under the origin private file system, like "spindle" or "apps/orders".`,
      { value: root },
    )
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
