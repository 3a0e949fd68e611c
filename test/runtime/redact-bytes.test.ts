import { describe, expect, it } from 'vitest'
import { redactBytes } from '../../src/runtime/redact-bytes'

const redact = (text: string) => text.replaceAll('s3cr3t-ü', '[secret:k]')
const utf8 = (text: string) => [...new TextEncoder().encode(text)]

describe('redactBytes', () => {
  it('replaces the UTF-8 bytes of a secret and keeps every byte that is not valid UTF-8', () => {
    const invalid = [0xff, 0xc3, 0x80 - 1, 0xed, 0xa0, 0x80, 0xe0, 0x80]
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...invalid, ...utf8('a s3cr3t-ü b'), 0xf4, 0x90])
    const redacted = redactBytes(bytes, redact)
    expect([...redacted]).toEqual([0xef, 0xbb, 0xbf, ...invalid, ...utf8('a [secret:k] b'), 0xf4, 0x90])
  })

  it('returns the same value when there is nothing to blank out', () => {
    const bytes = Uint8Array.from([0xff, ...utf8('nothing here')])
    expect(redactBytes(bytes, redact)).toBe(bytes)
  })

  it('reads only the part of the buffer a view covers, and keeps the kind of value', () => {
    const buffer = Uint8Array.from([...utf8('s3cr3t-ü'), ...utf8('|s3cr3t-ü|')]).buffer
    const part = new Uint8Array(buffer, utf8('s3cr3t-ü').length)
    expect([...redactBytes(part, redact)]).toEqual(utf8('|[secret:k]|'))
    const view = redactBytes(new DataView(buffer), redact)
    expect(view).toBeInstanceOf(DataView)
    expect([...new Uint8Array(view.buffer)]).toEqual(utf8('[secret:k]|[secret:k]|'))
    const whole = redactBytes(buffer, redact)
    expect(whole).toBeInstanceOf(ArrayBuffer)
    expect(new TextDecoder().decode(whole)).toBe('[secret:k]|[secret:k]|')
  })

  it('pads a typed array of wider elements with spaces to a whole number of elements', () => {
    const bytes = new Uint32Array(Uint8Array.from(utf8('xyzs3cr3t-ü')).buffer)
    const redacted = redactBytes(bytes, redact)
    expect(redacted).toBeInstanceOf(Uint32Array)
    expect(new TextDecoder().decode(redacted)).toBe('xyz[secret:k]   ')
  })
})
