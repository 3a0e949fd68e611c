/*
 * The rule of an HTTP header the browser can send, written once for the three places that apply
 * it: `createEngine` (`http.headers`), `validate()`/`register()` (an `http` task's literal
 * headers) and the `http` action as it runs (every header, secrets filled in). Each problem names
 * the header, never its value: a value may be a secret's.
 */

/** A header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** What `fetch` refuses in a value: NUL, CR, LF. */
const BREAK = /[\0\r\n]/
/** A value is a byte string: no character above U+00FF. */
const WIDE = /[^\0-\xff]/

/**
 * What is wrong with one header, as the end of a sentence, or `undefined` when `fetch` sends it.
 *
 * @example
 * headerProblem('x-key', 'a\nb') // 'header "x-key" has a line break or NUL in its value; …'
 * headerProblem('x-key', 'café') // undefined (Latin-1)
 */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (!TOKEN.test(name))
    return `header name ${JSON.stringify(name)} is not a token: use letters, digits and !#$%&'*+-.^_\`|~ only`
  if (typeof value !== 'string') return `header "${name}" must have a string value`
  if (BREAK.test(value))
    return `header "${name}" has a line break or NUL in its value; a request cannot carry one`
  if (WIDE.test(value))
    return `header "${name}" has a character outside Latin-1 in its value; percent-encode it (encodeURIComponent) or send it in the body`
  return undefined
}

/** Every problem of a headers object (see {@link headerProblem}), in the order of its names. */
export function headersProblems(headers: Record<string, unknown>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => headerProblem(name, value) ?? [])
}
