/**
 * A whole IndexedDB database as JSON: its version, every object store with its key path,
 * indexes and records. Values JSON cannot hold (Infinity, undefined in arrays, bytes, dates) are
 * tagged `{ "~v": … }`, so a dump loads back into the same values.
 */
export interface DatabaseDump {
  version: number
  stores: Record<
    string,
    {
      keyPath: string | string[] | null
      autoIncrement: boolean
      indexes: { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }[]
      records: { key: unknown; value: unknown }[]
    }
  >
}

const TAG = '~v'

function encode(value: unknown): unknown {
  if (value === undefined) return { [TAG]: 'undefined' }
  if (typeof value === 'number' && !Number.isFinite(value)) return { [TAG]: String(value) }
  if (value instanceof Date) return { [TAG]: 'date', at: value.toISOString() }
  if (value instanceof Uint8Array) return { [TAG]: 'bytes', bytes: [...value] }
  if (value instanceof ArrayBuffer) return { [TAG]: 'buffer', bytes: [...new Uint8Array(value)] }
  if (Array.isArray(value)) return value.map(encode)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = encode(item)
    return out
  }
  return value
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode)
  if (typeof value !== 'object' || value === null) return value
  const tagged = value as Record<string, unknown>
  switch (tagged[TAG]) {
    case 'undefined':
      return undefined
    case 'Infinity':
      return Number.POSITIVE_INFINITY
    case '-Infinity':
      return Number.NEGATIVE_INFINITY
    case 'NaN':
      return Number.NaN
    case 'date':
      return new Date(tagged.at as string)
    case 'bytes':
      return new Uint8Array(tagged.bytes as number[])
    case 'buffer':
      return new Uint8Array(tagged.bytes as number[]).buffer
  }
  return Object.fromEntries(Object.entries(tagged).map(([key, item]) => [key, decode(item)]))
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** Reads database `name` whole. */
export async function dumpDatabase(name: string): Promise<DatabaseDump> {
  const db = await request(indexedDB.open(name))
  try {
    const dump: DatabaseDump = { version: db.version, stores: {} }
    for (const storeName of [...db.objectStoreNames].sort()) {
      const store = db.transaction(storeName).objectStore(storeName)
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())])
      dump.stores[storeName] = {
        keyPath: store.keyPath as string | string[] | null,
        autoIncrement: store.autoIncrement,
        indexes: [...store.indexNames].sort().map((indexName) => {
          const index = store.index(indexName)
          return {
            name: indexName,
            keyPath: index.keyPath as string | string[],
            unique: index.unique,
            multiEntry: index.multiEntry,
          }
        }),
        records: keys.map((key, i) => ({ key: encode(key), value: encode(values[i]) })),
      }
    }
    return dump
  } finally {
    db.close()
  }
}

/** Writes `dump` into a new database `name`, at the dump's version, stores and indexes as dumped. */
export async function loadDump(name: string, dump: DatabaseDump): Promise<void> {
  const open = indexedDB.open(name, dump.version)
  open.onupgradeneeded = () => {
    const db = open.result
    for (const [storeName, spec] of Object.entries(dump.stores)) {
      const store = db.createObjectStore(storeName, {
        ...(spec.keyPath === null ? {} : { keyPath: spec.keyPath }),
        autoIncrement: spec.autoIncrement,
      })
      for (const index of spec.indexes)
        store.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry })
    }
  }
  const db = await request(open)
  try {
    const names = Object.keys(dump.stores)
    if (names.length === 0) return
    const tx = db.transaction(names, 'readwrite')
    for (const [storeName, spec] of Object.entries(dump.stores)) {
      const store = tx.objectStore(storeName)
      for (const { key, value } of spec.records) {
        if (spec.keyPath === null) store.put(decode(value), decode(key) as IDBValidKey)
        else store.put(decode(value))
      }
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
  } finally {
    db.close()
  }
}
