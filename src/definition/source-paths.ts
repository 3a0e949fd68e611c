import { formatPath, type PathSegment } from './issue-path'

/**
 * Where the parts of a migrated definition came from: `tasks.fetch.params` ← `steps[0].config`.
 * Issues found in the 2.0 form are reported at the path the user wrote.
 */
export class SourcePaths {
  readonly #sources = new Map<string, string>()

  /** Records that the 2.0 part at `target` was written at `source`. */
  set(target: readonly PathSegment[], source: readonly PathSegment[]): void {
    const from = formatPath(source)
    const to = formatPath(target)
    if (from !== to) this.#sources.set(to, from)
  }

  /**
   * The path the user wrote for a path of the 2.0 form: the longest recorded part it lies in,
   * with the rest of the path kept (`tasks.fetch.params.url` → `steps[0].config.url`).
   */
  sourceOf(path: string): string {
    let best: string | undefined
    for (const target of this.#sources.keys()) {
      const inside =
        path === target ||
        (path.startsWith(target) && (path[target.length] === '.' || path[target.length] === '['))
      if (inside && (best === undefined || target.length > best.length)) best = target
    }
    if (best === undefined) return path
    const source = this.#sources.get(best)!
    const rest = path.slice(best.length)
    return source === '' && rest.startsWith('.') ? rest.slice(1) : source + rest
  }
}
