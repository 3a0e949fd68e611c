import { FILE_ENCODINGS, FILE_OPS, type FileEncoding, type FileOp, filePathProblem } from './file-paths'

/*
 * The rules of the `file` action's params, written once for the two places that apply them:
 * the action as it runs (every value resolved) and `validate()`/`register()` (literal values
 * only: a value the definition computes is left to the action).
 */

/** One thing wrong with `file` params: the param, and whether it is missing or wrong. */
export interface FileParamsProblem {
  key: 'op' | 'path' | 'to' | 'data' | 'encoding' | 'recursive'
  code: 'param_required' | 'param_invalid'
  message: string
}

/** The `file` action's params, once {@link fileParamsProblems} found nothing wrong. */
export interface FileParams {
  op: FileOp
  /** '' for the root (`list` and `stat` only). */
  path: string
  to?: string
  data?: unknown
  encoding?: FileEncoding
  recursive?: boolean
}

const NEEDS_TO: readonly string[] = ['copy', 'move']
const NEEDS_DATA: readonly string[] = ['write', 'append']
/** The ops whose path may be left out or '' to mean the root folder. */
const ROOT_OPS: readonly string[] = ['list', 'stat']

/**
 * What is wrong with `file` params, in the order of the keys; `computed` says which values are
 * resolved only as the task runs (they are not checked).
 *
 * @example
 * fileParamsProblems({ op: 'copy', path: 'a.txt' })
 * // [{ key: 'to', code: 'param_required', message: 'file: op "copy" needs params.to, …' }]
 */
export function fileParamsProblems(
  params: Record<string, unknown>,
  computed: (value: unknown) => boolean = () => false,
): FileParamsProblem[] {
  const problems: FileParamsProblem[] = []
  const { op, path, to, data, encoding, recursive } = params
  const known = (value: unknown): boolean => value !== undefined && !computed(value)
  const problem = (key: FileParamsProblem['key'], code: FileParamsProblem['code'], message: string) =>
    problems.push({ key, code, message: `file: ${message}` })
  const ops = FILE_OPS.join(', ')
  if (op === undefined) problem('op', 'param_required', `params.op is required: one of ${ops}.`)
  else if (known(op) && !FILE_OPS.includes(op as FileOp))
    problem('op', 'param_invalid', `params.op must be one of ${ops}; got ${show(op)}.`)
  const opKnown = typeof op === 'string' && FILE_OPS.includes(op as FileOp)
  const forRoot = opKnown && ROOT_OPS.includes(op)
  if (path === undefined) {
    if (opKnown && !forRoot)
      problem(
        'path',
        'param_required',
        `op "${op}" needs params.path, a path under the files root like "notes/a.txt".`,
      )
  } else if (known(path) && !(path === '' && forRoot)) {
    const wrong = filePathProblem(path)
    if (wrong) problem('path', 'param_invalid', `params.path ${show(path)} is refused: ${wrong}.`)
  }
  if (opKnown && NEEDS_TO.includes(op)) {
    if (to === undefined) problem('to', 'param_required', `op "${op}" needs params.to, the path to ${op} to.`)
    else if (known(to)) {
      const wrong = filePathProblem(to)
      if (wrong) problem('to', 'param_invalid', `params.to ${show(to)} is refused: ${wrong}.`)
      else if (typeof path === 'string' && !computed(path)) {
        const target = to as string
        if (target === path || target.startsWith(`${path}/`))
          problem(
            'to',
            'param_invalid',
            `params.to ${show(to)} is ${show(path)} or inside it; ${op} it elsewhere.`,
          )
        // Copying onto a folder merges into it, so onto an ancestor it would overwrite the source
        // as it reads it, and a move's delete would then take what was copied.
        else if (path.startsWith(`${target}/`))
          problem(
            'to',
            'param_invalid',
            `params.to ${show(to)} holds ${show(path)}: a ${op} into a folder that holds its source would overwrite that source; ${op} it elsewhere.`,
          )
      }
    }
  }
  if (encoding !== undefined && known(encoding) && !FILE_ENCODINGS.includes(encoding as FileEncoding))
    problem(
      'encoding',
      'param_invalid',
      `params.encoding must be one of ${FILE_ENCODINGS.join(', ')}; got ${show(encoding)}.`,
    )
  if (opKnown && NEEDS_DATA.includes(op)) {
    if (data === undefined)
      problem('data', 'param_required', `op "${op}" needs params.data, the content to ${op}.`)
    else if (known(data) && (encoding === undefined || !computed(encoding))) {
      const wrong = dataProblem(data, encoding as FileEncoding | undefined)
      if (wrong) problem('data', 'param_invalid', wrong)
    }
  }
  if (known(recursive) && typeof recursive !== 'boolean')
    problem('recursive', 'param_invalid', `params.recursive must be true or false; got ${show(recursive)}.`)
  return problems
}

/**
 * The encoding that `data` is written with: `encoding` when given, else `text` for a string,
 * `bytes` for a `Uint8Array`, `json` for anything else.
 */
export function dataEncoding(data: unknown, encoding: FileEncoding | undefined): FileEncoding {
  if (encoding !== undefined) return encoding
  if (typeof data === 'string') return 'text'
  return data instanceof Uint8Array ? 'bytes' : 'json'
}

function dataProblem(data: unknown, encoding: FileEncoding | undefined): string | undefined {
  if (encoding !== undefined && !FILE_ENCODINGS.includes(encoding)) return undefined
  switch (dataEncoding(data, encoding)) {
    case 'text':
      return typeof data === 'string' ? undefined : `encoding "text" writes a string; got ${show(data)}.`
    case 'bytes':
      return data instanceof Uint8Array
        ? undefined
        : `encoding "bytes" writes a Uint8Array (such as a read's output with encoding "bytes"); got ${show(data)}.`
    default:
      return jsonText(data) === undefined ? `encoding "json" cannot write ${show(data)} as JSON.` : undefined
  }
}

/** `data` as JSON text, or `undefined` when JSON cannot hold it (a function, a BigInt, a cycle). */
export function jsonText(data: unknown): string | undefined {
  try {
    return JSON.stringify(data)
  } catch {
    // The caller says what cannot be written: undefined is that answer, not a lost error.
    return undefined
  }
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`
  try {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 80 ? `${text.slice(0, 80)}…` : text
  } catch {
    return String(value)
  }
}
