import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema'
import { TASK_ID, WORKFLOW_ID } from './ids'
import { PARAM_TYPES } from './params'
import { workflowDefinitionSchema } from './schema'
import { SEMVER } from './semver'

type Described = Record<string, string>

const RETRY: Described = {
  maxAttempts: 'Attempts in all, the first included (1 to 100).',
  initialDelayMs: 'Wait before the second attempt, in ms.',
  backoff: 'Each wait is the one before times this (at least 1).',
  maxDelayMs: 'Longest wait between attempts, in ms.',
  jitter: 'Fraction (0 to 1) of each wait drawn at random.',
}

const TASK: Described = {
  action:
    'The action the task runs: a built-in (noop, delay, transform, wait-for-event, approval, state-machine, subworkflow, http, file, ai) or one the app registers.',
  name: 'A display name.',
  description: 'What the task does.',
  params:
    'The action\'s params. A string "${ expr }" is the value of a CEL expression; "${ }" pieces inside text are interpolated.',
  dependsOn: 'Ids of the tasks that must end first (see trigger).',
  when: 'CEL: the task runs only when true; otherwise it is skipped.',
  forEach: 'CEL giving a list: the task runs once per item (item, index).',
  concurrency: 'Items of a forEach run at once.',
  retry: 'Retry policy of this task.',
  timeoutMs: 'Time limit of each attempt, in ms.',
  onError:
    'After the last failed attempt: fail the run, skip the task, continue (its output carries the error) or pause the run.',
  compensate: 'The action that undoes this task when the run rolls back.',
  cache: 'Keep the output for ttlMs and reuse it for the same action, version and params.',
  expectedDurationMs: 'How long the task usually takes, in ms (feeds health).',
  trigger:
    'When the task runs after its dependencies: all-success (default), none-failed, all-done, one-success.',
}

const WORKFLOW: Described = {
  $schema: 'The address of this JSON Schema, for editors.',
  schemaVersion: 'The definition format: "2.0".',
  id: 'The workflow id: lowercase letters, digits, ".", "_", "-".',
  version: 'A semantic version (1.2.0). Registered versions are immutable: runs are pinned to theirs.',
  name: 'A display name.',
  description: 'What the workflow does.',
  params: 'The input the workflow takes, by name: type, required, default, description, enum.',
  defaults: 'Defaults for every task: timeoutMs, retry, onError.',
  concurrency: 'Tasks of one run that execute at once.',
  expectedDurationMs: 'How long a run usually takes, in ms (feeds health).',
  timeoutMs: 'Time limit of the whole run, in ms: it fails with TIMEOUT.',
  tasks: 'The tasks, keyed by task id (letters, digits, "_", "-"; no dots).',
  output: 'CEL: the run\'s output, e.g. "tasks.load.output".',
}

const PARAM: Described = {
  type: `One of ${PARAM_TYPES.join(', ')}.`,
  required: 'The input must hold it (unless it has a default).',
  default: 'The value when the input lacks it.',
  description: 'What it is, for forms and docs.',
  enum: 'The values allowed.',
}

function describe(schema: JsonSchema | undefined, described: Described): void {
  const properties = (schema as { properties?: Record<string, JsonSchema> } | undefined)?.properties
  if (!properties) return
  for (const [key, text] of Object.entries(described)) {
    const property = properties[key]
    if (typeof property === 'object' && property !== null)
      (property as { description?: string }).description = text
  }
}

/** A regular expression's source as a JSON Schema pattern (the same syntax for these). */
const pattern = (regex: RegExp) => regex.source

function build(): JsonSchema {
  const schema = toJsonSchema(workflowDefinitionSchema, {
    errorMode: 'throw',
    // `recordOf` puts a guard before the record: the record alone says what the JSON is.
    typeMode: 'output',
    overrideSchema: (context) => (context.valibotSchema.type === 'custom' ? { type: 'object' } : undefined),
  }) as Record<string, any>
  const p = schema.properties
  describe(schema, WORKFLOW)
  p.id.pattern = pattern(WORKFLOW_ID)
  p.version.pattern = pattern(SEMVER)
  describe(p.defaults, {
    timeoutMs: TASK.timeoutMs!,
    retry: 'Retry policy of every task.',
    onError: TASK.onError!,
  })
  describe(p.defaults.properties.retry, RETRY)
  const param = p.params.additionalProperties
  describe(param, PARAM)
  param.properties.type.enum = [...PARAM_TYPES]
  p.tasks.propertyNames = { type: 'string', pattern: pattern(TASK_ID) }
  const task = p.tasks.additionalProperties
  describe(task, TASK)
  describe(task.properties.retry, RETRY)
  describe(task.properties.compensate, { action: 'The action that undoes the task.', params: TASK.params! })
  describe(task.properties.cache, {
    ttlMs: 'How long an output is kept, in ms.',
    key: 'CEL: a value added to the key (e.g. input.customerId).',
    scope: 'Who shares entries: global (default), definition, run.',
  })
  return {
    $schema: schema.$schema,
    title: 'Spindle workflow definition (schema 2.0)',
    description: 'A workflow: tasks with their actions, dependencies, conditions, retries and timeouts.',
    ...schema,
  } as JsonSchema
}

/**
 * The JSON Schema (draft-07) of a schema-2.0 definition, made from the schema `register` checks
 * with, with descriptions for editors: put `"$schema": "./node_modules/spindle/dist/schema.json"`
 * at the top of a definition file and VS Code completes and checks it. It checks the shape only;
 * `engine.validate()` also checks the meaning (known actions, dependencies, CEL).
 */
export const definitionSchema: JsonSchema = /* @__PURE__ */ build()
