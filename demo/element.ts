/** Attribute values of {@link el}: `false` and `undefined` leave the attribute out. */
export type Attributes = Record<string, string | number | boolean | undefined>

/**
 * Creates an element with attributes and children. `class` sets the class list; `true` sets a
 * boolean attribute.
 *
 * @example
 * el('button', { type: 'button', 'data-testid': 'pause' }, 'Pause')
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    element.setAttribute(name, value === true ? '' : String(value))
  }
  element.append(...children)
  return element
}
