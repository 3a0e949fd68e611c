import type { StandardSchemaV1 } from '@standard-schema/spec'
import { ArgumentError } from '../errors'
import type { Action, ActionContext } from '../types'

/**
 * Declares an action with optional Standard Schema validation of its input (the task's resolved
 * params) and output. Any Standard Schema library works: valibot, zod, arktype.
 * An input that fails validation fails the task with `INPUT_INVALID` and is not retried;
 * an output that fails fails the attempt with `OUTPUT_INVALID`.
 *
 * @example
 * import * as v from 'valibot'
 * const sendMail = defineAction({
 *   input: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
 *   async run({ to, subject }, ctx) {
 *     return mailer.send({ to, subject, idempotencyKey: ctx.idempotencyKey })
 *   },
 * })
 * createEngine({ actions: { 'send-mail': sendMail } })
 */
export function defineAction<I = unknown, O = unknown>(spec: {
  input?: StandardSchemaV1<unknown, I>
  output?: StandardSchemaV1<unknown, O>
  /** The action's version, part of its tasks' result cache keys; without one its tasks are never cached. */
  version?: string
  run(input: I, ctx: ActionContext): Promise<O> | O
}): Action<I, O> {
  if (typeof spec !== 'object' || spec === null || typeof spec.run !== 'function') {
    throw new ArgumentError('defineAction needs an object with a run(input, ctx) function.', { value: spec })
  }
  for (const key of ['input', 'output'] as const) {
    const schema = spec[key]
    if (schema !== undefined && typeof schema?.['~standard']?.validate !== 'function') {
      throw new ArgumentError(`defineAction: "${key}" must be a Standard Schema (valibot, zod, arktype…).`, {
        value: schema,
      })
    }
  }
  if (spec.version !== undefined && (typeof spec.version !== 'string' || spec.version === '')) {
    throw new ArgumentError(
      `defineAction: "version" must be a non-empty string; got ${JSON.stringify(spec.version)}.`,
      {
        value: spec.version,
      },
    )
  }
  const action = { kind: 'spindle.action' as const, input: spec.input, output: spec.output, run: spec.run }
  return spec.version === undefined ? action : { ...action, version: spec.version }
}

export function isAction(value: unknown): value is Action<unknown, unknown> {
  return typeof value === 'object' && value !== null && (value as Action).kind === 'spindle.action'
}
