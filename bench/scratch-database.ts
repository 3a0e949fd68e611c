import { deleteDB } from 'idb'

/** How long a deletion may wait for connections to close before the measurement is called broken. */
const DELETE_WAIT_MS = 10_000

/** An IndexedDB database name that no other measurement, page or earlier invocation uses. */
export function scratchDatabaseName(what: string): string {
  return `spindle-bench-${what}-${crypto.randomUUID()}`
}

/**
 * Deletes a database made for one measurement. Its connections should be closed first: an open
 * one gets a `versionchange` event (the engine's store closes itself on it), and one that stays
 * open makes this reject after `DELETE_WAIT_MS` rather than wait for ever.
 */
export async function dropDatabase(name: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`Deleting database "${name}" waited ${DELETE_WAIT_MS} ms for a connection left open.`),
        ),
      DELETE_WAIT_MS,
    )
  })
  try {
    await Promise.race([deleteDB(name), stuck])
  } finally {
    clearTimeout(timer)
  }
}
