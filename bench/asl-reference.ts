import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions'
import type { Shape } from './shapes'

/**
 * The peer reference: `aws-local-stepfunctions`, an Amazon States Language interpreter that also
 * runs in the browser. ASL has no dependency graph, so it takes the two shapes it can express:
 * a chain as a line of Task states, a fan-out as a Map state over as many items. Every Task's
 * resource is a local override function (a no-op returning its input): no network, no AWS SDK call.
 */
export interface AslPrepared {
  readonly machine: StateMachine
  readonly input: Record<string, unknown>
  readonly options: RunOptions
}

type Handlers = NonNullable<NonNullable<AslPrepared['options']['overrides']>['taskResourceLocalHandlers']>

/** Any resource will do: the local override answers in its place. */
const RESOURCE = 'arn:aws:lambda:us-east-1:123456789012:function:noop'

const passThrough = (input: unknown) => input as never

/**
 * The state machine of a shape, built and validated (ASL validation of 1,000 states takes a few
 * hundred ms: it is set-up, outside the timing like the engine's `register`). Undefined when ASL
 * cannot express the shape.
 */
export function prepareAsl(shape: Shape): AslPrepared | undefined {
  if (shape.name.startsWith('chain-')) return chainMachine(shape.size)
  if (shape.name.startsWith('fan-out-')) return mapMachine(shape.size)
  return undefined
}

/** A line of `size` Task states, each resolved by its own local handler. */
function chainMachine(size: number): AslPrepared {
  const states: StateMachineDefinition['States'] = {}
  const handlers: Handlers = {}
  for (let i = 0; i < size; i++) {
    const name = `t${i}`
    states[name] =
      i === size - 1
        ? { Type: 'Task', Resource: RESOURCE, End: true }
        : { Type: 'Task', Resource: RESOURCE, Next: `t${i + 1}` }
    handlers[name] = passThrough
  }
  const machine = new StateMachine({ StartAt: 't0', States: states })
  return { machine, input: {}, options: { overrides: { taskResourceLocalHandlers: handlers } } }
}

/** A Map state over `size` items, no concurrency limit, one Task state per item. */
function mapMachine(size: number): AslPrepared {
  const machine = new StateMachine({
    StartAt: 'fanOut',
    States: {
      fanOut: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 0,
        ItemProcessor: {
          StartAt: 'task',
          States: { task: { Type: 'Task', Resource: RESOURCE, End: true } },
        },
        End: true,
      },
    },
  })
  const items = Array.from({ length: size }, (_, i) => i)
  return {
    machine,
    input: { items },
    options: { overrides: { taskResourceLocalHandlers: { task: passThrough } } },
  }
}

/** One execution; throws unless it succeeded. */
export async function runAsl(prepared: AslPrepared): Promise<void> {
  await prepared.machine.run(prepared.input as never, prepared.options).result
}
