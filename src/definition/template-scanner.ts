/** A piece of a template string: literal text, or a CEL expression found inside `${ }`. */
export type TemplatePiece = { text: string } | { source: string; offset: number }

export type ScannedTemplate =
  | { ok: true; pieces: TemplatePiece[]; exact: boolean }
  | { ok: false; offset: number; detail: string }

/**
 * Splits a string into literal text and `${ expr }` pieces. The closing `}` is found the way
 * CEL reads the expression: braces of map literals nest, and braces inside string literals
 * (`'…'`, `"…"`, triple-quoted, raw `r'…'`) or `//` comments do not count. `$${` writes a
 * literal `${`. `exact` is true when the whole string is one `${ }` piece. Offsets of
 * expression pieces point into `text`, past any leading whitespace.
 *
 * @example
 * scanTemplate('${ input.a }')       // exact, one piece { source: 'input.a', offset: 3 }
 * scanTemplate('id-${ input.id }!')  // [{ text: 'id-' }, { source: 'input.id', offset: 6 }, { text: '!' }]
 */
export function scanTemplate(text: string): ScannedTemplate {
  const pieces: TemplatePiece[] = []
  let literal = ''
  let i = 0
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${'
      i += 3
      continue
    }
    if (!text.startsWith('${', i)) {
      literal += text[i]
      i++
      continue
    }
    const end = closingBrace(text, i + 2)
    if (end < 0) return { ok: false, offset: i, detail: 'this "${" is never closed; add the matching "}"' }
    const raw = text.slice(i + 2, end)
    const source = raw.trim()
    if (source === '') return { ok: false, offset: i, detail: '"${ }" is empty; put a CEL expression inside' }
    if (literal !== '') pieces.push({ text: literal })
    literal = ''
    pieces.push({ source, offset: i + 2 + (raw.length - raw.trimStart().length) })
    i = end + 1
  }
  if (literal !== '') pieces.push({ text: literal })
  const exact = pieces.length === 1 && 'source' in pieces[0]! && text.startsWith('${') && text.endsWith('}')
  return { ok: true, pieces, exact }
}

/** True when the string needs scanning: it holds `${` (an expression, or a `$${` escape to undo). */
export function hasTemplate(text: string): boolean {
  return text.includes('${')
}

/** Index of the `}` that closes an expression starting at `from`, or -1. */
function closingBrace(text: string, from: number): number {
  let depth = 0
  let i = from
  while (i < text.length) {
    const c = text[i]!
    if (c === '"' || c === "'") {
      i = endOfString(text, i)
      if (i < 0) return -1
      continue
    }
    if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i)
      if (newline < 0) return -1
      i = newline + 1
      continue
    }
    if (c === '{') depth++
    else if (c === '}') {
      if (depth === 0) return i
      depth--
    }
    i++
  }
  return -1
}

/** Index just past the string literal whose opening quote is at `start`, or -1 when unterminated. */
function endOfString(text: string, start: number): number {
  const quote = text[start]!
  const triple = text.startsWith(quote.repeat(3), start)
  const delimiter = triple ? quote.repeat(3) : quote
  const raw = isRawPrefix(text, start)
  let i = start + delimiter.length
  while (i < text.length) {
    if (!raw && text[i] === '\\') {
      i += 2
      continue
    }
    if (text.startsWith(delimiter, i)) return i + delimiter.length
    if (!triple && text[i] === '\n') return -1
    i++
  }
  return -1
}

/** A quote preceded by `r`, `R`, `rb`, `br`… (and nothing identifier-like before that) opens a raw string. */
function isRawPrefix(text: string, quoteAt: number): boolean {
  let i = quoteAt - 1
  let raw = false
  while (i >= 0 && quoteAt - i <= 2 && /[rRbB]/.test(text[i]!)) {
    if (text[i] === 'r' || text[i] === 'R') raw = true
    i--
  }
  return raw && (i < 0 || !/[A-Za-z0-9_.]/.test(text[i]!))
}
