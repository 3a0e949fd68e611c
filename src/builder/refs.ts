/** Marks a value that stands for a CEL expression (a reference or `expr()`), with its source. */
const SOURCE = Symbol('spindle.expression')

/**
 * A CEL expression whose value has the type `T`: in params it becomes `"${ source }"`, the typed
 * value. Made by references (`t.tasks.fetch.output.total`, `t.input.orderId`) or by `expr()`.
 */
export interface Expr<T> {
  readonly [SOURCE]: string
  /** Only for the type checker: the value's type. */
  readonly __value?: T
}

/**
 * A reference to a value of the run: an `Expr<T>`, and for an object its fields are references
 * too (`t.tasks.fetch.output.body.total`).
 */
export type Ref<T> = Expr<T> &
  (T extends readonly (infer E)[]
    ? { readonly [index: number]: Ref<E> }
    : T extends Record<string, unknown>
      ? { readonly [K in keyof T]-?: Ref<T[K]> }
      : unknown)

/** Writes CEL by hand, with the type of its value: `expr<number>('size(input.items)')`. */
export function expr<T = unknown>(source: string): Expr<T> {
  return { [SOURCE]: source }
}

/** The CEL source of an `Expr`, or undefined for any other value. */
export function sourceOf(value: unknown): string | undefined {
  if ((typeof value === 'object' || typeof value === 'function') && value !== null && SOURCE in value)
    return (value as Expr<unknown>)[SOURCE]
  return undefined
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A reference whose fields are references: a Proxy that builds the CEL path as it is read. */
export function reference(path: string, onRead?: (path: string) => void): Ref<any> {
  return new Proxy({} as Record<PropertyKey, unknown>, {
    get(_, key) {
      if (key === SOURCE) {
        onRead?.(path)
        return path
      }
      // Inside a template literal (`Order ${t.input.id}`) a reference reads as a `${ }` piece.
      if (key === Symbol.toPrimitive) {
        onRead?.(path)
        return () => `\${ ${path} }`
      }
      if (typeof key === 'symbol') return undefined
      const step = /^\d+$/.test(key)
        ? `[${key}]`
        : PLAIN_KEY.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`
      return reference(path + step, onRead)
    },
    has: (_, key) => key === SOURCE,
  }) as unknown as Ref<any>
}
