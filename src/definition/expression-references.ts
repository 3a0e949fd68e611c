import type { ASTNode } from '@marcbachmann/cel-js'
import type { ExpressionProblem } from './expression-problem'
import { SECRET_NAME } from './secret-reference'

export interface References {
  /** Task ids read as `tasks.<id>` or `tasks["<id>"]`. */
  taskRefs: Set<string>
  usesItem: boolean
  /** Secret names read as `secret('<name>')`. */
  secrets: Set<string>
  problem?: ExpressionProblem
}

/** Macros whose first argument names a variable bound in the remaining arguments. */
const BINDING_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])
const TASK_FIELDS = new Set(['output', 'status'])

/**
 * Walks a parsed expression and collects what it reads from `tasks`, and whether it reads
 * `item` or `index`. Variables bound by macros (`list.map(tasks, …)`, `cel.bind(item, …)`)
 * shadow the scope variables of the same name. Reading `tasks` other than by a literal name
 * is a problem: the engine hands an expression only the tasks it names.
 *
 * @example
 * findReferences(celEnvironment().parse('tasks.a.output + tasks["b"].output').ast).taskRefs // Set { 'a', 'b' }
 */
export function findReferences(ast: ASTNode): References {
  const found: References = { taskRefs: new Set(), usesItem: false, secrets: new Set() }
  walk(ast, new Set(), found)
  return found
}

function isScopeVariable(node: ASTNode, name: string, bound: ReadonlySet<string>): boolean {
  return node.op === 'id' && node.args === name && !bound.has(name)
}

function walk(node: ASTNode, bound: ReadonlySet<string>, found: References): void {
  if (found.problem) return
  switch (node.op) {
    case 'value':
      return
    case 'id':
      if (bound.has(node.args)) return
      if (node.args === 'item' || node.args === 'index') found.usesItem = true
      else if (node.args === 'tasks') dynamicAccess(node, found)
      return
    case '.':
    case '.?': {
      const [target, field] = node.args
      if (isScopeVariable(target, 'tasks', bound)) {
        found.taskRefs.add(field)
        return
      }
      if (target.op === '.' && isScopeVariable(target.args[0], 'tasks', bound) && !TASK_FIELDS.has(field)) {
        found.problem = {
          code: 'unknown_task_field',
          what: `Unknown field "${field}" of tasks.${target.args[1]}`,
          detail: 'a task exposes only .output and .status',
          offset: node.pos,
        }
        return
      }
      walk(target, bound, found)
      return
    }
    case '[]':
    case '[?]': {
      const [target, key] = node.args
      if (isScopeVariable(target, 'tasks', bound)) {
        if (key.op === 'value' && typeof key.args === 'string') found.taskRefs.add(key.args)
        else dynamicAccess(key, found)
        return
      }
      walk(target, bound, found)
      walk(key, bound, found)
      return
    }
    case 'call':
      if (node.args[0] === 'secret') secretCall(node, found)
      for (const arg of node.args[1]) walk(arg, bound, found)
      return
    case 'rcall': {
      const [name, receiver, args] = node.args
      if (name === 'json') {
        // cel-js's bytes.json() decodes with a TextEncoder in browsers (it has no decode) and
        // parses the byte list as text under Node: it can never work, so it is refused here.
        found.problem = {
          code: 'unsupported_function',
          what: 'bytes.json() is not available',
          detail:
            'expressions cannot parse JSON; have the action that produces the text return parsed data (its output is read as a map)',
          offset: node.pos,
        }
        return
      }
      walk(receiver, bound, found)
      const variable = args[0]
      const isBind = name === 'bind' && isScopeVariable(receiver, 'cel', bound) && args.length === 3
      if (variable?.op === 'id' && (isBind || BINDING_MACROS.has(name))) {
        const inner = new Set(bound).add(variable.args)
        args.forEach((arg, i) => {
          if (i > 0) walk(arg, isBind && i === 1 ? bound : inner, found)
        })
        return
      }
      for (const arg of args) walk(arg, bound, found)
      return
    }
    case 'map':
      for (const [key, value] of node.args) {
        walk(key, bound, found)
        walk(value, bound, found)
      }
      return
    case '!_':
    case '-_':
      walk(node.args, bound, found)
      return
    default:
      for (const arg of node.args) walk(arg, bound, found)
  }
}

/** `secret('name')`: the name must be a literal, so the definition says which secrets it uses. */
function secretCall(node: ASTNode & { op: 'call' }, found: References): void {
  const [name] = node.args[1]
  if (
    node.args[1].length === 1 &&
    name?.op === 'value' &&
    typeof name.args === 'string' &&
    SECRET_NAME.test(name.args)
  ) {
    found.secrets.add(name.args)
    return
  }
  found.problem = {
    code: 'secret_name',
    what: 'secret() needs a literal name',
    detail:
      "write the secret's name as a string literal, like secret('API_TOKEN') (letters, digits, _ . -, up to 100 characters); a computed name could reach any secret",
    offset: node.pos,
  }
}

function dynamicAccess(node: ASTNode, found: References): void {
  found.problem = {
    code: 'dynamic_task_ref',
    what: 'Tasks read without a name',
    detail:
      'refer to tasks by name, as tasks.<id> or tasks["<id>"]; a computed key or the whole tasks map is not allowed',
    offset: node.pos,
  }
}
