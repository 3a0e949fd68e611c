import type { BuiltinContext } from './builtin-context'

/** At most one `task.progress` per this many ms of the engine's clock… */
export const PROGRESS_EVERY_MS = 250
/** …unless this many characters arrived since the last one. */
export const PROGRESS_EVERY_CHARS = 200
/** A note holds at most this many characters of the text so far: its end. */
export const PROGRESS_NOTE_CHARS = 2000

/**
 * Reports a streamed answer as `task.progress` events whose note is the text so far (its last
 * {@link PROGRESS_NOTE_CHARS} characters): not one event per token, but one when
 * {@link PROGRESS_EVERY_MS} passed or {@link PROGRESS_EVERY_CHARS} characters arrived since the
 * last. `fraction` is the share of `maxOutputTokens` used, counting 4 characters a token (0
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
    if (now - lastAt < PROGRESS_EVERY_MS && text.length - lastLength < PROGRESS_EVERY_CHARS) return
    lastAt = now
    lastLength = text.length
    const fraction = maxOutputTokens === undefined ? 0 : Math.min(0.99, text.length / 4 / maxOutputTokens)
    const note = text.length > PROGRESS_NOTE_CHARS ? `…${text.slice(-PROGRESS_NOTE_CHARS)}` : text
    ctx.progress(fraction, note)
  }
}
