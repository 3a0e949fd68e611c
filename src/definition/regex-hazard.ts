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
    // Alternatives inside a repeated group may match the same text ((a|a)*, (a|ab)*), which
    // backtracks exponentially like a nested repetition; a character class does not.
    else if (char === '|') repeats[repeats.length - 1] = true
    else if (char === ')') {
      const held = repeats.length > 1 ? repeats.pop()! : false
      if (isQuantifier(pattern, i + 1)) {
        if (held) {
          return `a repeated group holds a repetition or alternatives (like (a+)+, (a*)* or (a|ab)*), which backtracks exponentially; repeat the inner part only (a+ instead of (a+)+) or use a character class ([ab]+ instead of (a|b)+)`
        }
        repeats[repeats.length - 1] = true
      } else if (held) repeats[repeats.length - 1] = true
    } else if (isQuantifier(pattern, i)) repeats[repeats.length - 1] = true
  }
  return undefined
}

/**
 * The longest text `pattern` may be tested against. Each unbounded repetition (`*`, `+`, `{n,}`,
 * `{n,m}` with a large m) can multiply the backtracking by the text length (`^a*a*a*$` on 10,000
 * characters runs for minutes), so the limit shrinks with their number: about 10^8 steps at worst.
 *
 * @example
 * maxTextLength('^[a-z]+$') // 10000
 * maxTextLength('^\\w+@\\w+\\.\\w+$') // 464
 */
export function maxTextLength(pattern: string): number {
  let repetitions = 0
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') i++
    else if (inClass) inClass = char !== ']'
    else if (char === '[') inClass = true
    else if (char === '*' || char === '+') repetitions++
    else if (char === '{') {
      const bound = /^\{\d+,(\d*)\}/.exec(pattern.slice(i, i + 24))
      if (bound && (bound[1] === '' || Number(bound[1]) > 64)) repetitions++
    }
  }
  if (repetitions <= 2) return REGEX_LIMITS.maxInputLength
  return Math.min(REGEX_LIMITS.maxInputLength, Math.floor(10 ** (8 / repetitions)))
}

/** `*`, `+` or `{n,…}` at `at` (a `?` alone repeats nothing). */
function isQuantifier(pattern: string, at: number): boolean {
  const char = pattern[at]
  if (char === '*' || char === '+') return true
  return char === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(at, at + 24))
}
