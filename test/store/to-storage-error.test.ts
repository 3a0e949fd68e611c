import { ArgumentError, StaleExecutorError, StorageError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { toStorageError } from '../../src/store/to-storage-error'

describe('toStorageError', () => {
  it.each([
    ['QuotaExceededError', /quota .* used up.*navigator\.storage\.persist/],
    ['AbortError', /aborted before it committed.*Retry/],
    ['UnknownError', /storage backend failed.*clear this site's data/],
    ['InvalidStateError', /connection was closed.*reopens/],
    ['DataCloneError', /not structured-clonable.*plain data/],
    ['VersionError', /newer version.*Reload/],
  ])('explains %s, keeps it as the cause, and names the database and operation', (name, explanation) => {
    const cause = new DOMException('browser detail', name)
    const error = toStorageError(cause, 'orders', 'commit')
    expect(error).toBeInstanceOf(StorageError)
    expect(error).toMatchObject({
      code: 'STORAGE_FAILED',
      cause,
      value: { database: 'orders', operation: 'commit' },
    })
    expect(error.message).toMatch(explanation)
    expect(error.message).toContain('"orders" failed in commit')
    expect(error.message).toContain(`${name} (browser detail)`)
  })

  it("marks a quota failure with reason 'quota'; other failures have no reason", () => {
    const quota = toStorageError(new DOMException('full', 'QuotaExceededError'), 'orders', 'commit')
    expect(quota).toMatchObject({ code: 'STORAGE_FAILED', reason: 'quota' })
    expect(quota.toJSON()).toMatchObject({ reason: 'quota' })
    const abort = toStorageError(new DOMException('gone', 'AbortError'), 'orders', 'commit')
    expect((abort as StorageError).reason).toBeUndefined()
    expect(abort.toJSON()).not.toHaveProperty('reason')
  })

  it('still explains a failure it has no entry for', () => {
    const error = toStorageError(new TypeError('odd'), 'orders', 'getRun')
    expect(error).toBeInstanceOf(StorageError)
    expect(error.message).toMatch(/TypeError \(odd\).*unexpected IndexedDB failure/)
    expect(toStorageError('a string', 'orders', 'getRun').message).toContain('failed in getRun: string')
  })

  it('passes Spindle errors through: a fence refusal or a duplicate id is an answer, not a failure', () => {
    const stale = new StaleExecutorError('taken over')
    const duplicate = new ArgumentError('exists')
    expect(toStorageError(stale, 'orders', 'commit')).toBe(stale)
    expect(toStorageError(duplicate, 'orders', 'createRun')).toBe(duplicate)
  })
})
