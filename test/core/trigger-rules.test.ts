import { describe, expect, it } from 'vitest'
import { triggerVerdict } from '../../src/core/trigger-rules'
import type { TriggerRule } from '../../src/types'

/** Two dependencies: each `c` completed, `s` skipped, `.` not ended yet. */
const CASES: [string, Record<TriggerRule, 'ready' | 'skip' | 'wait'>][] = [
  ['..', { 'all-success': 'wait', 'none-failed': 'wait', 'all-done': 'wait', 'one-success': 'wait' }],
  ['c.', { 'all-success': 'wait', 'none-failed': 'wait', 'all-done': 'wait', 'one-success': 'ready' }],
  ['s.', { 'all-success': 'skip', 'none-failed': 'wait', 'all-done': 'wait', 'one-success': 'wait' }],
  ['cc', { 'all-success': 'ready', 'none-failed': 'ready', 'all-done': 'ready', 'one-success': 'ready' }],
  ['cs', { 'all-success': 'skip', 'none-failed': 'ready', 'all-done': 'ready', 'one-success': 'ready' }],
  ['ss', { 'all-success': 'skip', 'none-failed': 'skip', 'all-done': 'ready', 'one-success': 'skip' }],
]

describe('triggerVerdict', () => {
  for (const [ends, verdicts] of CASES) {
    const completed = [...ends].filter((e) => e === 'c').length
    const skipped = [...ends].filter((e) => e === 's').length
    for (const [rule, verdict] of Object.entries(verdicts)) {
      it(`${rule} with dependencies "${ends}" says ${verdict}`, () => {
        expect(triggerVerdict(rule as TriggerRule, { total: 2, completed, skipped })).toBe(verdict)
      })
    }
  }

  it('says ready for a task without dependencies, whatever its rule', () => {
    for (const rule of ['all-success', 'none-failed', 'all-done', 'one-success'] as const)
      expect(triggerVerdict(rule, { total: 0, completed: 0, skipped: 0 })).toBe('ready')
  })
})
