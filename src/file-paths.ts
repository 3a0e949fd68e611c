/*
 * The paths of the `file` action and of `EngineOptions.files.root`: one rule, applied where the
 * engine starts (the root), where a definition is registered (literal paths) and where the
 * action runs (every path, computed or not), before anything on disk is touched.
 */

/** The operations of the `file` action. */
export const FILE_OPS = ['read', 'write', 'append', 'copy', 'move', 'delete', 'list', 'stat'] as const
export type FileOp = (typeof FILE_OPS)[number]

/** How the `file` action turns content into a value and back. */
export const FILE_ENCODINGS = ['text', 'json', 'bytes'] as const
export type FileEncoding = (typeof FILE_ENCODINGS)[number]

/** The longest path, in UTF-16 code units, and the longest name in it. */
export const MAX_FILE_PATH = 1024
export const MAX_FILE_NAME = 255
/** The deepest a path nests. */
export const MAX_FILE_DEPTH = 32

/*
 * Any of these in a name is refused: control characters, format characters (bidi overrides and
 * isolates, zero-width joiners, the BOM, soft hyphens), lone surrogates, private-use and
 * unassigned code points (all of Unicode's `C` category), and line or paragraph separators.
 * They make a name read differently from what it is.
 */
const HIDDEN = /[\p{C}\p{Zl}\p{Zp}]/u

/**
 * What is wrong with `path` as a path under a files root, or `undefined` when it is one: a
 * string of '/'-separated names, relative, without '.', '..' or empty names, without
 * backslashes, hidden characters or a name that starts or ends with white space, written in NFC
 * and unchanged by NFKC (so no full-width '．．' or '／' that other software folds into '..'
 * and '/'), at most {@link MAX_FILE_PATH} long, names at most {@link MAX_FILE_NAME}, at most
 * {@link MAX_FILE_DEPTH} names deep.
 *
 * @example
 * filePathProblem('reports/2026/q1.json') // undefined
 * filePathProblem('../secrets.txt')      // 'it has a ".." name, which would leave the root'
 */
export function filePathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'it is not a string'
  if (path === '') return 'it is empty'
  if (path.length > MAX_FILE_PATH) return `it is ${path.length} characters long, over ${MAX_FILE_PATH}`
  if (path.startsWith('/')) return 'it starts with "/": paths are relative to the root; drop the leading "/"'
  if (path.includes('\\')) return 'it holds a "\\": separate names with "/"'
  const hidden = HIDDEN.exec(path)
  if (hidden) return `it holds the hidden character U+${codePoint(hidden[0])}; remove it`
  const nfc = path.normalize('NFC')
  if (nfc !== path) return `it is not in Unicode NFC; write it as ${JSON.stringify(nfc)}`
  const nfkc = path.normalize('NFKC')
  if (nfkc !== path)
    return `it changes under Unicode NFKC (to ${JSON.stringify(nfkc)}); write plain characters`
  const names = path.split('/')
  if (names.length > MAX_FILE_DEPTH) return `it is ${names.length} names deep, over ${MAX_FILE_DEPTH}`
  for (const name of names) {
    if (name === '') return 'it has an empty name (a "//" or a "/" at an end)'
    if (name === '..') return 'it has a ".." name, which would leave the root'
    if (name === '.') return 'it has a "." name; leave it out'
    if (name.length > MAX_FILE_NAME)
      return `its name "${name.slice(0, 20)}…" is over ${MAX_FILE_NAME} characters`
    if (name.trim() !== name) return `its name ${JSON.stringify(name)} starts or ends with white space`
  }
  return undefined
}

/** The names of a path that {@link filePathProblem} accepts. */
export function fileNames(path: string): string[] {
  return path.split('/')
}

function codePoint(char: string): string {
  return char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
}
