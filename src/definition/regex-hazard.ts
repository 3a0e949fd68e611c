/** The longest `matches` pattern, and the longest text a `matches` call may test. */
export const REGEX_LIMITS = Object.freeze({ maxPatternLength: 1000, maxInputLength: 10_000 })

/**
 * Why a regular expression could make a backtracking engine (every browser's `RegExp`) run for
 * minutes, or `undefined` when it looks safe: a quantified group that holds a quantifier
 * (`(a+)+`, `(a|b*)*`: exponential backtracking), a backreference (`(a*)\1`), or a pattern
 * longer than `REGEX_LIMITS.maxPatternLength`. Patterns are not rewritten, only refused.
 *
 * @example
 * regexHazard('^(a+)+$') // 'a repeated group holds a repetition …'
 * regexHazard('^[a-z]+@[a-z]+$') // undefined
 */
export function regexHazard(pattern: string): string | undefined {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) {
    return `the pattern is ${pattern.length} characters long; the limit is ${REGEX_LIMITS.maxPatternLength}`
  }
  // Per open group: does it hold a quantifier? The outermost level is the last entry.
  const repeats: boolean[] = [false]
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '\\') {
      const next = pattern[i + 1] ?? ''
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) {
        return `the backreference \\${next} makes matching time grow exponentially with the text`
      }
      i++
      continue
    }
    if (inClass) {
      if (char === ']') inClass = false
      continue
    }
    if (char === '[') inClass = true
    else if (char === '(') repeats.push(false)
    else if (char === ')') {
      const held = repeats.length > 1 ? repeats.pop()! : false
      if (isQuantifier(pattern, i + 1)) {
        if (held) {
          return `a repeated group holds a repetition (like (a+)+ or (a*)*), which backtracks exponentially; repeat the inner part only, e.g. a+ instead of (a+)+`
        }
        repeats[repeats.length - 1] = true
      } else if (held) repeats[repeats.length - 1] = true
    } else if (isQuantifier(pattern, i)) repeats[repeats.length - 1] = true
  }
  return undefined
}

/** `*`, `+` or `{n,…}` at `at` (a `?` alone repeats nothing). */
function isQuantifier(pattern: string, at: number): boolean {
  const char = pattern[at]
  if (char === '*' || char === '+') return true
  return char === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(at, at + 24))
}
