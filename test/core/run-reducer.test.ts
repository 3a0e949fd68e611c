import { describe, expect, it } from 'vitest'
import { approvals } from '../../src/core/reducer/approvals'
import { childRuns } from '../../src/core/reducer/child-runs'
import { machines } from '../../src/core/reducer/machines'
import { runFork } from '../../src/core/reducer/run-fork'
import { runLifecycle } from '../../src/core/reducer/run-lifecycle'
import { signals } from '../../src/core/reducer/signals'
import { taskAttempts } from '../../src/core/reducer/task-attempts'
import { waits } from '../../src/core/reducer/waits'
import { runEventTypes } from '../../src/core/run-reducer'

// The handlers of each family have their own table tests in test/engine/reducer/.
describe('the handler table', () => {
  it('takes each event type from exactly one family', () => {
    const families = [
      runLifecycle,
      taskAttempts,
      waits,
      signals,
      approvals,
      runFork,
      machines,
      childRuns,
    ].flatMap((f) => Object.keys(f))
    expect(new Set(families).size).toBe(families.length)
    expect(families.sort()).toEqual([...runEventTypes].sort())
  })
})
