import { SpindleError, StorageError } from '../errors'

/** What each IndexedDB failure means for a Spindle store, and what the app can do about it. */
const EXPLANATIONS: Record<string, string> = {
  QuotaExceededError:
    "the browser's storage quota for this site is used up. Free space (delete finished runs, clear caches) or ask for more with navigator.storage.persist(), then retry",
  AbortError:
    'the transaction was aborted before it committed (by the browser, or because another request in it failed). Retry the operation',
  UnknownError:
    "the browser's storage backend failed (a disk error or a damaged browser profile). Retry; if it keeps failing, the user must free disk space or clear this site's data",
  InvalidStateError:
    'the database connection was closed (another tab upgraded or deleted the database, or the browser closed it). Retry: the store reopens the database on its next call',
  DataCloneError:
    'a value could not be stored because it is not structured-clonable (a function, a DOM node, a class with private state, a Symbol). Make task outputs, inputs and run state plain data',
  VersionError:
    'the database was upgraded by a newer version of the app in another tab. Reload this page to run the newer code',
  DataError:
    'a key or key range was not a valid IndexedDB key (run ids and definition ids must be strings, sequence numbers must be numbers). Check the value passed in',
  ReadOnlyError:
    'a write was attempted in a read-only transaction. This is a bug in Spindle; please report it',
  TransactionInactiveError:
    'a request was made after its transaction had finished. This is a bug in Spindle; please report it',
  ConstraintError:
    'a record with the same key is stored already (a journal entry whose seq was used before). This is a bug in Spindle; please report it',
  TimeoutError: 'the transaction took too long and the browser ended it. Retry the operation',
}

/**
 * Turns whatever an IndexedDB call threw into a `StorageError` that keeps the original as `cause`
 * and says what happened and what to do. `SpindleError`s (a stale executor, a duplicate run id)
 * pass through unchanged: they are answers, not storage failures.
 */
export function toStorageError(error: unknown, database: string, operation: string): SpindleError {
  if (error instanceof SpindleError) return error
  const name = error instanceof Error ? error.name : typeof error
  const detail = error instanceof Error && error.message ? ` (${error.message})` : ''
  const explanation =
    EXPLANATIONS[name] ??
    'the browser reported an unexpected IndexedDB failure. Retry; if it keeps failing, report it with the cause attached'
  return new StorageError(
    `IndexedDB database "${database}" failed in ${operation}: ${name}${detail}; ${explanation}. Nothing was written by the failed call.`,
    {
      value: { database, operation },
      cause: error,
      ...(name === 'QuotaExceededError' && { reason: 'quota' }),
    },
  )
}
