/** How one model failed an `ai` call; each kind decides whether the next model is tried. */
export type ModelFailureKind =
  /** Not callable now: no key set, no on-device model, still downloading. */
  | 'unavailable'
  /** 401/403: the key is wrong; the task fails at once. */
  | 'auth'
  /** 429. */
  | 'rate-limited'
  /** 5xx, or an answer that is not a chat completion. */
  | 'server'
  | 'network'
  | 'timeout'
  /** The answer did not follow `output.schema`, even after the repair attempt. */
  | 'invalid-output'
  /** Another 4xx: the request itself was refused (an unknown model name, a schema it cannot take). */
  | 'refused'

/** What the model did, as the `ai` action reports it when every model failed. */
export class ModelFailure extends Error {
  override get name(): string {
    return 'ModelFailure'
  }
  readonly kind: ModelFailureKind
  /** Retrying the task later cannot cure it (a missing key, a refused request, a bad key). */
  readonly permanent: boolean
  /** How long a 429 asked to wait (its `Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined

  constructor(
    kind: ModelFailureKind,
    message: string,
    options: { permanent?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message)
    this.kind = kind
    this.permanent = options.permanent ?? false
    this.retryAfterMs = options.retryAfterMs
  }
}

/**
 * The delay a `Retry-After` header asks for, in ms: seconds, or an HTTP date measured from
 * `now`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000))
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}
