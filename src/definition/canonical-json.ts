/**
 * JSON text of a plain value with the keys of every object in sorted order, so that two
 * definitions that differ only in key order give the same text. Arrays keep their order (it
 * means something: `dependsOn`, `levels`).
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item
    // fromEntries defines keys as data, so even a key named __proto__ stays a key.
    return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  })
}
