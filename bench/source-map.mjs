// @ts-check
/**
 * Maps a position in a built file back to its source through the `.map` files next to it,
 * following a chain of maps (a page chunk → dist/spindle.js → src/…), so that a CPU profile of
 * minified production code names the source functions it spent its time in.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * @typedef {{ lines: number[][][], sources: string[], names: string[] }} DecodedMap
 */

/** @type {Map<string, DecodedMap | undefined>} */
const maps = new Map()

/**
 * The decoded map of a file (`<file>.map`), or undefined when it has none.
 * @param {string} file
 */
function mapOf(file) {
  if (maps.has(file)) return maps.get(file)
  const mapFile = `${file}.map`
  /** @type {DecodedMap | undefined} */
  let decoded
  if (existsSync(mapFile)) {
    const raw = JSON.parse(readFileSync(mapFile, 'utf8'))
    const base = resolve(dirname(mapFile), raw.sourceRoot ?? '')
    decoded = {
      lines: decodeMappings(raw.mappings),
      sources: raw.sources.map((/** @type {string} */ s) => resolve(base, s)),
      names: raw.names ?? [],
    }
  }
  maps.set(file, decoded)
  return decoded
}

/**
 * Source map "mappings" as, per generated line, segments of absolute
 * [column, source, line, column, name?] (base64 VLQ, fields relative to the previous segment).
 * @param {string} mappings
 * @returns {number[][][]}
 */
function decodeMappings(mappings) {
  const lines = []
  const state = [0, 0, 0, 0, 0]
  for (const line of mappings.split(';')) {
    state[0] = 0
    const segments = []
    for (const text of line.split(',')) {
      if (text === '') continue
      const fields = []
      let value = 0
      let shift = 0
      for (const char of text) {
        const digit = BASE64.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) {
          shift += 5
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      const segment = fields.map((delta, i) => {
        state[i] = (state[i] ?? 0) + delta
        return state[i] ?? 0
      })
      segments.push(segment)
    }
    lines.push(segments)
  }
  return lines
}

/**
 * The original position of a 0-based line and column of `file`, through as many maps as there
 * are; undefined when `file` has no map.
 * @param {string} file
 * @param {number} line
 * @param {number} column
 * @returns {{ file: string, line: number, column: number, name?: string } | undefined}
 */
export function originalPosition(file, line, column) {
  const map = mapOf(file)
  const segments = map?.lines[line]
  if (!map || !segments || segments.length === 0) return undefined
  let found = segments[0]
  for (const segment of segments) {
    if ((segment[0] ?? 0) > column) break
    found = segment
  }
  if (!found || found.length < 4) return undefined
  const source = map.sources[found[1] ?? 0] ?? file
  const name = found.length > 4 ? map.names[found[4] ?? 0] : undefined
  const here = { file: source, line: found[2] ?? 0, column: found[3] ?? 0, ...(name ? { name } : {}) }
  const deeper = originalPosition(source, here.line, here.column)
  return deeper ? { ...deeper, name: deeper.name ?? here.name } : here
}

/**
 * A file path for display: relative to `root`.
 * @param {string} root
 * @param {string} file
 */
export function shortPath(root, file) {
  return relative(root, file)
}
