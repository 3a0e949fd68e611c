import { parseDocument } from 'yaml'
import type { ValidationIssue } from '../errors'

/** Aliases (`*name`) one YAML definition may use: enough for shared config, too few to blow up its size. */
const MAX_ALIASES = 100

/** YAML problems listed; later ones mostly follow from the first. */
const MAX_PROBLEMS = 20

export type YamlResult = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] }

/**
 * Reads YAML text as plain data: the core schema only (strings, numbers, booleans, null, maps,
 * lists), no custom tags, no merge keys, duplicate keys refused, aliases bounded. Every error
 * and warning is an issue naming its line and column; the value is then copied and checked like
 * a JSON definition.
 *
 * @example
 * readYaml('name: Import\nsteps:\n  - type: http\n') // { ok: true, value: { name: 'Import', steps: [{ type: 'http' }] } }
 */
export function readYaml(text: string): YamlResult {
  let doc: ReturnType<typeof parseDocument>
  try {
    doc = parseDocument(text, {
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      strict: true,
      prettyErrors: true,
      customTags: [],
      stringKeys: true,
    })
  } catch (error) {
    return fail(`The definition is not valid YAML: ${reason(error)}.`)
  }
  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) {
    return {
      ok: false,
      issues: problems.slice(0, MAX_PROBLEMS).map((problem) => ({
        path: '',
        code: 'not_yaml',
        message: `The definition is not valid YAML (${problem.code}): ${firstLine(problem.message)}${where(problem.linePos)}. Fix the YAML, or write the definition as JSON.`,
      })),
    }
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) }
  } catch (error) {
    return fail(`The YAML definition cannot be read: ${reason(error)}. Use fewer aliases (*name), or none.`)
  }
}

function fail(message: string): YamlResult {
  return { ok: false, issues: [{ path: '', code: 'not_yaml', message }] }
}

function where(linePos: readonly { line: number; col: number }[] | undefined): string {
  const at = linePos?.[0]
  return at === undefined ? '' : ` (line ${at.line}, column ${at.col})`
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
