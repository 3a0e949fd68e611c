import { type ActionContext, type ActionHandler, defineAction, TaskError } from 'spindle'
import * as v from 'valibot'

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    const stop = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', stop, { once: true })
  })
}

const duration = v.pipe(v.number(), v.minValue(0), v.maxValue(600_000))

/** Progress reports per `work` task: about one every half second, at most ten. */
function stepsFor(ms: number): number {
  return Math.max(1, Math.min(10, Math.ceil(ms / 500)))
}

function labelOf(label: string | undefined, ctx: ActionContext): string {
  return label ?? (ctx.index === undefined ? ctx.taskId : `${ctx.taskId}[${ctx.index}]`)
}

/**
 * Busy for `params.ms` of real time, reporting progress along the way; stops at once when the
 * task is cancelled or times out.
 *
 * @example
 * { "action": "work", "params": { "ms": 2000, "label": "${ 'resize ' + item }" } }
 */
export const work = defineAction({
  input: v.object({ ms: duration, label: v.optional(v.string()) }),
  async run({ ms, label }, ctx) {
    const name = labelOf(label, ctx)
    const steps = stepsFor(ms)
    for (let step = 1; step <= steps; step++) {
      await sleep(ms / steps, ctx.signal)
      ctx.progress(step / steps, `${name} ${step}/${steps}`)
    }
    return { label: name, ms, attempt: ctx.attempt }
  },
})

/**
 * Fails every attempt before attempt `params.succeedOn`, after `params.ms` of real time: with a
 * retry policy the back-off between attempts shows in the task list and the event log.
 *
 * @example
 * { "action": "flaky", "params": { "succeedOn": 2 }, "retry": { "maxAttempts": 3, "initialDelayMs": 1000 } }
 */
export const flaky = defineAction({
  input: v.object({
    succeedOn: v.pipe(v.number(), v.integer(), v.minValue(1)),
    ms: v.optional(duration, 300),
    label: v.optional(v.string()),
  }),
  async run({ succeedOn, ms, label }, ctx) {
    const name = labelOf(label, ctx)
    await sleep(ms, ctx.signal)
    if (ctx.attempt < succeedOn) {
      throw new TaskError(
        'ACTION_FAILED',
        `${name}: attempt ${ctx.attempt} failed on purpose; this demo task succeeds on attempt ${succeedOn}.`,
        { taskId: ctx.taskId, value: ctx.attempt },
      )
    }
    return { label: name, attempt: ctx.attempt }
  },
})

/**
 * Stand-ins for the actions the built-in templates need (`TemplateInfo.actions`): each is busy
 * for a moment, reports progress and answers with what it was given, so every template runs in
 * the demo. An assessment (`agent_task` with `task: 'assess'`) scores the priority 0.8.
 */
export function templateStandIns(names: readonly string[]): Record<string, ActionHandler> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (params: Record<string, unknown>, ctx: ActionContext) => {
        await sleep(400, ctx.signal)
        ctx.progress(1, name)
        if (name === 'agent_task' && params.task === 'assess') return { priority: 0.8 }
        return { action: name, done: true }
      },
    ]),
  )
}
