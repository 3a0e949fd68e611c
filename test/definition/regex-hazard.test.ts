import { describe, expect, it } from 'vitest'
import { REGEX_LIMITS, regexHazard } from '../../src/definition/regex-hazard'

describe('regexHazard', () => {
  it('refuses repeated groups that hold a repetition, and backreferences', () => {
    for (const pattern of [
      '^(a+)+$',
      '(a*)*',
      '(x|y+){2,}',
      '((ab)*c)+',
      '(?:\\w+\\s?)*$',
      '(a)\\1',
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
      '(?:a|b)*c',
      '[(+)]*',
      '\\(a+\\)+',
      'colou?r',
    ]) {
      expect(regexHazard(pattern), pattern).toBeUndefined()
    }
  })

  it('refuses a pattern over the length limit', () => {
    expect(regexHazard('a'.repeat(REGEX_LIMITS.maxPatternLength + 1))).toMatch(/limit/)
  })
})
