import type { BuiltinSecrets } from '../actions/builtin-context'
import {
  mayHoldReference,
  referencedNames,
  replaceReferences,
  SECRET_NAME,
} from '../definition/secret-reference'
import { StorageError, TaskError } from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import { memorySecretStore } from '../store/memory-secret-store'
import type { SecretStore } from '../store/ports/secret-store'

/** Values shorter than this are not redacted: replacing every "ab" in a message would say which it is. */
export const MIN_REDACTED_LENGTH = 4

/**
 * The engine's secrets, by name: what actions read through `ctx.secrets`, kept encrypted in the
 * store. `EngineOptions.secrets` are written at start; every read waits for the writes this
 * engine began before it, so a task never misses a secret being stored. Reads go to the store
 * each time (no cache), so another tab's `setSecret` is seen at once.
 *
 * Every value it stores or reads is remembered (in this realm only) so `redact` can blank it out
 * of error messages and logs.
 *
 * @example
 * const vault = new SecretVault({ token: 's3cr3t' })
 * await vault.get('token') // 's3cr3t'
 */
export class SecretVault implements BuiltinSecrets {
  readonly #store: SecretStore
  /** The writes in order: those of `EngineOptions.secrets`, then each `put` and `delete`. */
  #writes: Promise<void>
  readonly #seeded: Promise<void>
  #seedError: StorageError | undefined
  /** Every form of a known value (plain, JSON-escaped, URI- and form-encoded, base64) → its secret's name. */
  readonly #known = new Map<string, string>()
  /** The known forms as one alternation, longest first; rebuilt when a form is added. */
  #pattern: RegExp | undefined

  /** `initial` is written to `store` at once (default: a memory store of its own). */
  constructor(
    initial: Readonly<Record<string, string>> = {},
    store: SecretStore = memorySecretStore('secrets'),
  ) {
    this.#store = store
    const entries = Object.entries(initial)
    for (const [name, value] of entries) this.#remember(name, value)
    // Async, so that a store that cannot take them (one written before the port) fails here too.
    this.#seeded = Promise.all(entries.map(async ([name, value]) => store.putSecret(name, value))).then(
      () => undefined,
      (error: unknown) => {
        this.#seedError = new StorageError(
          `EngineOptions.secrets could not be stored (${error instanceof Error ? error.message : String(error)}): tasks that read a secret fail until the engine is created again.`,
          { cause: error },
        )
        reportUnhandledError(this.#seedError)
      },
    )
    this.#writes = this.#seeded
  }

  /** Resolves once `EngineOptions.secrets` are stored, or failed to be (reads then fail). */
  seeded(): Promise<void> {
    return this.#seeded
  }

  async get(name: string): Promise<string | undefined> {
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
      // Described, not quoted: a value passed by mistake in place of the name stays unsaid.
      throw new TaskError(
        'INVALID_ARGUMENT',
        `ctx.secrets.get needs a secret's name (1 to 100 letters, digits, "_", "." or "-", starting with a letter or "_"); got ${typeof name === 'string' ? `a string of ${name.length} characters` : `a ${name === null ? 'null' : typeof name}`}.`,
      )
    }
    await this.#writes
    if (this.#seedError) throw this.#seedError
    const value = await this.#store.getSecret(name)
    if (value !== undefined) this.#remember(name, value)
    return value
  }

  /** Stores `value` under `name`, after every write begun before. */
  put(name: string, value: string): Promise<void> {
    this.#remember(name, value)
    return this.#queue(() => this.#store.putSecret(name, value))
  }

  /** Deletes secret `name`, after every write begun before; resolves to whether there was one. */
  delete(name: string): Promise<boolean> {
    return this.#queue(() => this.#store.deleteSecret(name))
  }

  /** The names of every secret, sorted, once the writes begun before are done. */
  async list(): Promise<string[]> {
    await this.#writes
    return this.#store.listSecrets()
  }

  async reveal<T>(value: T): Promise<T> {
    const names = new Set<string>()
    collectNames(value, names)
    if (names.size === 0) return value
    const values = new Map<string, string>()
    for (const name of names) {
      const secret = await this.get(name)
      if (secret === undefined) {
        throw new TaskError(
          'SECRET_NOT_FOUND',
          `The params refer to secret "${name}", which is not set. Set it with engine.setSecret("${name}", value) or EngineOptions.secrets.`,
          { value: name, retryable: false },
        )
      }
      values.set(name, secret)
    }
    return substitute(value, values) as T
  }

  redact(text: string): string {
    const redacted = replaceReferences(text, (name) => `[secret:${name}]`)
    if (this.#known.size === 0) return redacted
    // One pass, longest form first: a secret that is part of another must not leave the rest of it.
    this.#pattern ??= new RegExp(
      [...this.#known.keys()]
        .sort((a, b) => b.length - a.length)
        .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    )
    return redacted.replace(this.#pattern, (form) => `[secret:${this.#known.get(form)}]`)
  }

  #queue<T>(write: () => Promise<T>): Promise<T> {
    const done = this.#writes.then(write)
    // The next write waits for this one to settle, whatever its outcome; the outcome is the caller's.
    const settled = () => undefined
    this.#writes = done.then(settled, settled)
    return done
  }

  #remember(name: string, value: string): void {
    if (value.length < MIN_REDACTED_LENGTH) return
    for (const form of formsOf(value)) {
      if (this.#known.get(form) === name) continue
      this.#known.set(form, name)
      this.#pattern = undefined
    }
  }
}

/**
 * The forms a value takes in text: as is, inside JSON, in a URL (a path, and a query string or
 * form body as URLSearchParams writes it, a space as "+"), and in base64.
 */
function formsOf(value: string): string[] {
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice('v='.length),
  ])
  const bytes = new TextEncoder().encode(value)
  forms.add(btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')).replace(/=+$/, ''))
  return [...forms].filter((form) => form.length >= MIN_REDACTED_LENGTH)
}

function collectNames(value: unknown, names: Set<string>): void {
  if (typeof value === 'string') {
    if (mayHoldReference(value)) for (const name of referencedNames(value)) names.add(name)
  } else if (Array.isArray(value)) {
    for (const item of value) collectNames(item, names)
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) collectNames(item, names)
  }
}

function substitute(value: unknown, values: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    // A reference another realm made stays as it is: it is text, not a secret.
    return replaceReferences(value, (name, own) => (own ? values.get(name) : undefined))
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values))
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]))
  }
  return value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
