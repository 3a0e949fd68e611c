import { Environment } from '@marcbachmann/cel-js'
import { secretReference } from './secret-reference'

/** The variables an expression may read. `item` and `index` exist only under `forEach`. */
export const SCOPE_VARIABLES = ['input', 'tasks', 'state', 'run'] as const
export const ITEM_VARIABLES = ['item', 'index'] as const

type Arithmetic = (a: number, b: number) => number

const ARITHMETIC: Record<'+' | '-' | '*' | '/' | '%', Arithmetic> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
}

let shared: Environment | undefined

/**
 * The one CEL environment every definition compiles against. Building an environment is
 * costly, so it is made once, on first use.
 *
 * JSON numbers reach CEL as doubles while CEL literals like `1` are ints, and CEL has no
 * implicit conversion between them: `input.a + 1` would fail at run time with "no such
 * overload: double + int". Mixed `double <op> int` operators (and `double % double`) are
 * registered so that arithmetic between the two works as authors expect.
 */
export function celEnvironment(): Environment {
  if (shared) return shared
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 2000,
      maxDepth: 64,
      maxListElements: 1000,
      maxMapEntries: 1000,
      maxCallArguments: 32,
    },
  })
  for (const name of SCOPE_VARIABLES) env.registerVariable(name, 'map')
  env.registerVariable('item', 'dyn')
  env.registerVariable('index', 'int')
  for (const [op, apply] of Object.entries(ARITHMETIC)) {
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => apply(a, Number(b)))
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => apply(Number(a), b))
  }
  env.registerOperator('double % double: double', ARITHMETIC['%'])
  // An opaque reference, never the value: only a built-in that consumes secrets reveals it.
  env.registerFunction('secret(string): string', (name: string) => secretReference(name))
  shared = env
  return env
}
