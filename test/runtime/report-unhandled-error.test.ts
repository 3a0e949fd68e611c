import { afterEach, describe, expect, it, vi } from 'vitest'
import { reportUnhandledError } from '../../src/runtime/report-unhandled-error'

describe('reportUnhandledError', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('hands the failure to the host through reportError', () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => {
      reported.push(error)
    })
    const failure = new Error('nobody owns this')
    reportUnhandledError(failure)
    expect(reported).toEqual([failure])
  })
})
