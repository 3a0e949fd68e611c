import type { BuiltinContext } from './builtin-context'

/** At most one `task.progress` per this many ms of the engine's clock… */
export const PROGRESS_EVERY_MS = 250
/** …unless the text grew by this many characters, and at least doubled, since the last one. */
export const PROGRESS_EVERY_CHARS = 200
/** A note holds at most this many characters of the text so far: its end. */
export const PROGRESS_NOTE_CHARS = 2000

/**
 * Reports a streamed answer as `task.progress` events whose note is the text so far (its last
 * {@link PROGRESS_NOTE_CHARS} characters): not one event per token, but one when
 * {@link PROGRESS_EVERY_MS} passed and the text grew, or the text grew by
 * {@link PROGRESS_EVERY_CHARS} characters and at least doubled since the last. Each note is
 * journaled: doubling keeps a stream faster than the clock to a few notes (about
 * log2(length / 200) + 2), where a note per 200 characters would write its text many times over.
 * `fraction` is the share of `maxOutputTokens` used, counting 4 characters a token (0
 * without a limit), below 1 until the task completes.
 */
export function textProgress(
  ctx: BuiltinContext,
  maxOutputTokens: number | undefined,
): (text: string) => void {
  let lastAt = Number.NEGATIVE_INFINITY
  let lastLength = 0
  return (text) => {
    const now = ctx.now()
    const grown = text.length - lastLength
    if (grown <= 0) return
    if (now - lastAt < PROGRESS_EVERY_MS && grown < Math.max(PROGRESS_EVERY_CHARS, lastLength)) return
    lastAt = now
    lastLength = text.length
    const fraction = maxOutputTokens === undefined ? 0 : Math.min(0.99, text.length / 4 / maxOutputTokens)
    const note = text.length > PROGRESS_NOTE_CHARS ? `…${text.slice(-PROGRESS_NOTE_CHARS)}` : text
    ctx.progress(fraction, note)
  }
}
