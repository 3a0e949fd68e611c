import { describe, expect, it } from 'vitest'
import { PROGRESS_EVERY_MS, PROGRESS_NOTE_CHARS, textProgress } from '../../src/actions/text-progress'
import { handContext } from '../support/builtin-context'

/** The notes a 10,000-character answer gives, arriving 10 characters at a time, `msEach` apart. */
function notesOf(msEach: number): string[] {
  const notes: string[] = []
  let now = 0
  const onText = textProgress(
    handContext({ now: () => now, progress: (_fraction, note) => notes.push(note ?? '') }),
    undefined,
  )
  let text = ''
  for (let i = 0; i < 1000; i++) {
    text += `${String(i).padStart(9, '0')} `
    onText(text)
    now += msEach
  }
  return notes
}

describe('textProgress', () => {
  it('a stream faster than the clock gives a note each time the text doubles: a few, not one per 200 characters', () => {
    const notes = notesOf(0)
    // At about 10, 210, 420, 840, 1,680, 3,360 and 6,720 characters.
    expect(notes.length).toBeLessThanOrEqual(8)
    expect(notes.reduce((sum, note) => sum + note.length, 0)).toBeLessThanOrEqual(5 * PROGRESS_NOTE_CHARS)
    for (const note of notes) expect(note.length).toBeLessThanOrEqual(PROGRESS_NOTE_CHARS + 1)
  })

  it('a slow stream still gets a note per interval of the clock while its text grows', () => {
    // 1,000 pieces 50 ms apart: 50 s, one note per 250 ms at most.
    const notes = notesOf(50)
    expect(notes.length).toBeGreaterThanOrEqual((1000 * 50) / PROGRESS_EVERY_MS - 1)
    expect(notes.length).toBeLessThanOrEqual((1000 * 50) / PROGRESS_EVERY_MS + 1)
  })
})
