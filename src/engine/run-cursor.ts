import { ArgumentError } from '../errors'
import type { RunQuery } from '../store/store'

type Position = NonNullable<RunQuery['after']>

/*
 * `listRuns` cursors: the position of a page's last run (its creation time and id), as an opaque
 * URL-safe string. Opaque so that callers pass it back unchanged and the position's form can
 * change; the position itself, not an offset, so that runs started or deleted between two pages
 * neither shift nor repeat the runs after it.
 */

const TAG = 'r1'

/** The cursor of the page that ends with `run`. */
export function encodeRunCursor(run: Position): string {
  const bytes = new TextEncoder().encode(JSON.stringify([TAG, run.createdAt, run.runId]))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** The position a cursor stands for. */
export function decodeRunCursor(cursor: unknown): Position {
  const position = typeof cursor === 'string' && cursor !== '' ? parse(cursor) : undefined
  if (position) return position
  throw new ArgumentError(
    `listRuns: ${JSON.stringify(cursor)} is not a cursor listRuns handed out; pass a page's "next" unchanged as "cursor", or leave it out for the first page.`,
    { value: cursor },
  )
}

function parse(cursor: string): Position | undefined {
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    if (!Array.isArray(value) || value.length !== 3 || value[0] !== TAG) return undefined
    const [, createdAt, runId] = value
    if (!Number.isFinite(createdAt) || typeof runId !== 'string' || runId === '') return undefined
    return { createdAt, runId }
  } catch (error) {
    // Not base64, not UTF-8 or not JSON: a string someone made up, refused by the caller.
    if (error instanceof DOMException || error instanceof SyntaxError || error instanceof TypeError) {
      return undefined
    }
    throw error
  }
}
