/**
 * Binary data with `redact` applied to the text in it, as a new value of the same kind
 * (`ArrayBuffer`, `DataView` or typed array), or `bytes` itself when there is nothing to blank out.
 *
 * The bytes are read as UTF-8; a byte that is not part of valid UTF-8 is kept as it is, so a
 * secret's UTF-8 bytes are found in any data (an answer read as bytes, a file) and the rest is
 * unchanged. A replacement changes the length: a typed array of wider elements (`Uint16Array`…)
 * is padded with spaces (0x20) to a whole number of elements.
 */
export function redactBytes<T extends ArrayBuffer | ArrayBufferView>(
  bytes: T,
  redact: (text: string) => string,
): T {
  const view =
    bytes instanceof ArrayBuffer
      ? new Uint8Array(bytes)
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = decodeKeepingBytes(view)
  const redacted = redact(text)
  if (redacted === text) return bytes
  const encoded = encodeKeepingBytes(redacted)
  if (bytes instanceof ArrayBuffer) return encoded.buffer as T
  if (bytes instanceof DataView) return new DataView(encoded.buffer) as unknown as T
  const Kind = bytes.constructor as { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }
  const width = Kind.BYTES_PER_ELEMENT
  const whole = new Uint8Array(new ArrayBuffer(Math.ceil(encoded.length / width) * width)).fill(0x20)
  whole.set(encoded)
  return new Kind(whole.buffer)
}

// A byte that is not valid UTF-8 stands as a lone surrogate U+DC80…U+DCFF, which valid UTF-8
// never decodes to, so the text turns back into the very same bytes.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()
const KEPT_BYTE = /[\uDC80-\uDCFF]/gu

function decodeKeepingBytes(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch {
    // Not all UTF-8: walked by hand below.
  }
  let text = ''
  let start = 0
  let at = 0
  while (at < bytes.length) {
    const length = sequenceLength(bytes, at)
    if (length > 0) {
      at += length
      continue
    }
    text += `${decoder.decode(bytes.subarray(start, at))}${String.fromCharCode(0xdc00 + bytes[at]!)}`
    at += 1
    start = at
  }
  return text + decoder.decode(bytes.subarray(start))
}

function encodeKeepingBytes(text: string): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = []
  let start = 0
  for (const match of text.matchAll(KEPT_BYTE)) {
    parts.push(encoder.encode(text.slice(start, match.index)), Uint8Array.of(match[0].charCodeAt(0) - 0xdc00))
    start = match.index + match[0].length
  }
  parts.push(encoder.encode(text.slice(start)))
  const bytes = new Uint8Array(new ArrayBuffer(parts.reduce((sum, part) => sum + part.length, 0)))
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.length
  }
  return bytes
}

/** The length of the valid UTF-8 sequence at `at`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at]!
  if (first < 0x80) return 1
  const length =
    first >= 0xc2 && first <= 0xdf
      ? 2
      : first >= 0xe0 && first <= 0xef
        ? 3
        : first >= 0xf0 && first <= 0xf4
          ? 4
          : 0
  if (length === 0 || at + length > bytes.length) return 0
  const second = bytes[at + 1]!
  // The second byte's range is narrower after these leads: no overlong forms, no surrogates, nothing past U+10FFFF.
  const low = first === 0xe0 ? 0xa0 : first === 0xf0 ? 0x90 : 0x80
  const high = first === 0xed ? 0x9f : first === 0xf4 ? 0x8f : 0xbf
  if (second < low || second > high) return 0
  for (let next = at + 2; next < at + length; next++) {
    if (bytes[next]! < 0x80 || bytes[next]! > 0xbf) return 0
  }
  return length
}
