/** Workflow ids: lowercase, URL- and file-name-safe, stable across versions. */
export const WORKFLOW_ID = /^[a-z0-9][a-z0-9._-]*$/

/**
 * Task ids. No dots, so `tasks.<id>` works in CEL; ids with `-` are read as `tasks["a-b"]`
 * because CEL parses `tasks.a-b` as a subtraction.
 */
export const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/

/**
 * A workflow id made from a display name: `"Order Pipeline!"` → `order-pipeline`.
 * Returns `''` when the name has no usable character.
 */
export function workflowIdFrom(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
}

/**
 * A task id made from a step name, usable as `tasks.<id>` in CEL: `"Fetch order"` → `fetch_order`.
 * Names that start with a digit get a `step_` prefix; an empty result becomes `step`.
 */
export function taskIdFrom(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  if (slug === '') return 'step'
  return /^[0-9]/.test(slug) ? `step_${slug}` : slug
}

/** Hands out unique ids: the second `fetch` becomes `fetch_2`, the third `fetch_3`. */
export class IdAllocator {
  readonly #taken = new Set<string>()

  take(wanted: string): string {
    let id = wanted
    for (let n = 2; this.#taken.has(id); n++) id = `${wanted}_${n}`
    this.#taken.add(id)
    return id
  }
}
