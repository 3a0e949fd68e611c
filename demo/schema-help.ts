/** A JSON Schema node as `definitionSchema` writes them (inline, no `$ref`). */
interface SchemaNode {
  description?: string
  properties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
}

/** What the schema says about the field at a path: its description, or the fields its object takes. */
export interface FieldHelp {
  /** The description of the field at the path, or of the nearest field above it that has one. */
  description?: string
  /** The fields the object holding the path's last field takes (for a field that is not one of them). */
  fields?: string[]
}

/** The path's segments: `tasks.fetch.params.url`, `steps[0].config` → `steps`, `0`, `config`. */
function segments(path: string): string[] {
  return path.split(/\.|\[(\d+)\]/).filter((part): part is string => part !== undefined && part !== '')
}

/** The schema of `key` inside `node`, trying each alternative of a union. */
function child(node: SchemaNode, key: string): SchemaNode | undefined {
  for (const option of [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    if (option.properties && Object.hasOwn(option.properties, key)) return option.properties[key]
    if (/^\d+$/.test(key) && option.items) return option.items
    if (typeof option.additionalProperties === 'object') return option.additionalProperties
  }
  return undefined
}

function fieldsOf(node: SchemaNode): string[] {
  const names = new Set<string>()
  for (const option of [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])])
    for (const name of Object.keys(option.properties ?? {})) names.add(name)
  return [...names]
}

/**
 * What a definition's JSON Schema (`definitionSchema`) says about the field at `path`, an issue
 * path of `validate()`: the editor shows it beside the issue. A path the schema does not know
 * (a field it does not take) gets the fields its object takes instead.
 */
export function fieldHelp(schema: object, path: string): FieldHelp {
  let node = schema as SchemaNode
  let description = node.description
  const parts = segments(path)
  for (const [index, part] of parts.entries()) {
    const next = child(node, part)
    if (next === undefined) {
      const fields = fieldsOf(node)
      // Only a field unknown at the last step: deeper, the path is not one the schema describes.
      return index === parts.length - 1 && fields.length > 0 ? { fields } : {}
    }
    node = next
    if (node.description !== undefined) description = node.description
  }
  return description === undefined || parts.length === 0 ? {} : { description }
}
