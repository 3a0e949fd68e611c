import { show } from './issue-path'

/**
 * Why an expression was refused. `code` is the validation issue code (`expression_syntax`,
 * `expression_type`, `unknown_variable`, `dynamic_task_ref`, `unknown_task_field`,
 * `item_outside_foreach`, `expression_too_long`); `offset` points into the expression source.
 */
export interface ExpressionProblem {
  code: string
  /** Short name of the problem: "Syntax error". */
  what: string
  /** What is wrong and how to fix it. */
  detail: string
  offset?: number
}

/** `line 2, column 5` for a multi-line text, `column 5` for a one-line text (both 1-based). */
export function positionIn(text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++
      lineStart = i + 1
    }
  }
  const column = offset - lineStart + 1
  return text.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`
}

/**
 * The message for a problem found in `text`; `base` is where the expression starts inside
 * `text` (a `${ }` piece inside a longer string).
 *
 * @example
 * explainProblem({ code: 'expression_syntax', what: 'Syntax error', detail: 'Unexpected token: EOF', offset: 9 }, 'input.a +')
 * // 'Syntax error at column 10 in "input.a +": Unexpected token: EOF'
 */
export function explainProblem(problem: ExpressionProblem, text: string, base = 0): string {
  const where = problem.offset === undefined ? '' : ` at ${positionIn(text, base + problem.offset)}`
  return `${problem.what}${where} in ${show(text, 120)}: ${problem.detail}`
}

/** The one-line summary and source offset of an error raised by cel-js. */
export function locate(error: unknown): { summary: string; offset?: number } {
  const e = error as { summary?: unknown; message?: unknown; range?: { start?: unknown } } | undefined
  const summary =
    typeof e?.summary === 'string' ? e.summary : typeof e?.message === 'string' ? e.message : String(error)
  const start = e?.range?.start
  return typeof start === 'number' ? { summary, offset: start } : { summary }
}
