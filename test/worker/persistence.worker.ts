import { requestStoragePersistence, type SpindleError } from 'spindle'

// An engine in a worker cannot ask for persistence: the page must. Reports what the call gives.
requestStoragePersistence().then(
  (persisted) => postMessage(`resolved ${persisted}`),
  (error: SpindleError) => postMessage(error.code),
)
