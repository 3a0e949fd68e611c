import { describe, expect, it } from 'vitest'
import { maxTextLength, REGEX_LIMITS, regexHazard } from '../../src/definition/regex-hazard'

describe('regexHazard', () => {
  it('refuses repeated groups that hold a repetition, and backreferences', () => {
    for (const pattern of [
      '^(a+)+$',
      '(a*)*',
      '(x|y+){2,}',
      '((ab)*c)+',
      '(?:\\w+\\s?)*$',
      '(a)\\1',
      '(a|ab)*',
      '(?:a|b)*c',
      '(?<w>a)\\k<w>',
    ]) {
      expect(regexHazard(pattern), pattern).toBeDefined()
    }
  })

  it('accepts the usual patterns', () => {
    for (const pattern of [
      '^[a-z]+@[a-z]+\\.[a-z]{2,}$',
      '^\\d{3}-\\d{4}$',
      '(ab)+',
      '[ab]*c',
      '(jpg|png)$',
      '[(+)]*',
      '\\(a+\\)+',
      'colou?r',
    ]) {
      expect(regexHazard(pattern), pattern).toBeUndefined()
    }
  })

  it('shortens the text a pattern may test as its repetitions grow', () => {
    expect(maxTextLength('^[a-z]+$')).toBe(REGEX_LIMITS.maxInputLength)
    expect(maxTextLength('^a*b+$')).toBe(REGEX_LIMITS.maxInputLength)
    expect(maxTextLength('^\\w+@\\w+\\.\\w+$')).toBe(464)
    expect(maxTextLength('^a*a*a*a*$')).toBe(100)
    expect(maxTextLength('^a{2,}b{1,500}c{1,3}[*+]\\+$')).toBe(REGEX_LIMITS.maxInputLength)
  })

  it('refuses a pattern over the length limit', () => {
    expect(regexHazard('a'.repeat(REGEX_LIMITS.maxPatternLength + 1))).toMatch(/limit/)
  })
})
