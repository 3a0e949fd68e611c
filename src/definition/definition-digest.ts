import type { WorkflowDefinition } from '../types'
import { canonicalJson } from './canonical-json'

const digests = new WeakMap<WorkflowDefinition, string>()

/**
 * The content digest of a definition: a 64-bit hash (two 32-bit lanes, as 16 hex digits) of its
 * canonical JSON, so key order does not count. A run records it when it starts; an engine that
 * restores the run compares it with the version stored then, and never runs other content under
 * the run's version. It tells accidental changes apart, not a forged definition. Computed once
 * per definition object (compiled definitions are frozen and shared).
 *
 * @example
 * definitionDigest({ schemaVersion: '2.0', id: 'wf', version: '1.0.0', tasks: {} }) // '…' (16 hex digits)
 */
export function definitionDigest(definition: WorkflowDefinition): string {
  let digest = digests.get(definition)
  if (digest === undefined) {
    digest = hash64(canonicalJson(definition))
    digests.set(definition, digest)
  }
  return digest
}

/** cyrb53's two multiplicative lanes over the UTF-16 code units, both kept whole (64 bits). */
function hash64(text: string): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return hex32(h2) + hex32(h1)
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0')
}
