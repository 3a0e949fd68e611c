import { passedOn } from '../definition/migrate-steps'
import type { TaskDefinition } from '../types'
import { optional, retryOf, type Template } from './template'

/**
 * A pipeline of named steps that pass each result on (each step gets `previous`, the output of
 * the step before it, and `state`, the run input), with the settings of the knowledge workflows:
 * retries 3, retry delay 5 s, a time limit of 300 s per step.
 */
function pipeline(spec: {
  id: string
  name: string
  description: string
  tags: string[]
  steps: string[]
  requiredState: Record<string, string>
}): Template {
  return {
    id: spec.id,
    name: spec.name,
    description: `${spec.description} Steps: ${spec.steps.join(' → ')}; each gets { previous, state }. Run input: ${Object.keys(spec.requiredState).join(', ')} (required).`,
    tags: [...spec.tags, 'pipeline', 'sequential'],
    actions: spec.steps,
    params: {
      retries: optional('integer', 3, 'Retries of a failed step.'),
      retryDelayMs: optional('integer', 5000, 'Wait before the first retry, in ms (doubling).'),
      stepTimeoutMs: optional('integer', 300_000, 'Time limit of each attempt, in ms (5 minutes).'),
    },
    build: (p) => {
      const tasks: Record<string, TaskDefinition> = {}
      let previous: string | undefined
      for (const step of spec.steps) {
        tasks[step] = {
          action: step,
          params: passedOn(previous),
          ...(previous === undefined ? {} : { dependsOn: [previous] }),
        }
        previous = step
      }
      return {
        description: spec.description,
        params: Object.fromEntries(
          Object.entries(spec.requiredState).map(([key, description]) => [
            key,
            { type: 'any', required: true, description },
          ]),
        ),
        defaults: {
          retry: retryOf(p),
          timeoutMs: p.stepTimeoutMs,
        },
        tasks,
        output: `tasks.${previous}.output`,
      }
    },
  }
}

export const processControl = pipeline({
  id: 'process-control',
  name: 'Process control',
  description:
    'Validates the inputs, checks the equipment, runs the process, validates the outputs and updates the records.',
  tags: ['industrial', 'process'],
  steps: [
    'validate_inputs',
    'check_equipment_status',
    'execute_process',
    'validate_outputs',
    'update_records',
  ],
  requiredState: {
    equipment_id: 'The equipment the process runs on.',
    process_params: 'The process parameters.',
  },
})

export const troubleshooting = pipeline({
  id: 'troubleshooting',
  name: 'Troubleshooting',
  description:
    'Analyses the symptoms, queries the knowledge base, generates hypotheses, tests them and implements the solution.',
  tags: ['industrial', 'diagnosis', 'knowledge'],
  steps: [
    'analyze_symptoms',
    'query_knowledge_base',
    'generate_hypotheses',
    'test_hypotheses',
    'implement_solution',
  ],
  requiredState: { symptoms: 'What was observed.', equipment_id: 'The equipment concerned.' },
})

export const knowledgeIngestion = pipeline({
  id: 'knowledge-ingestion',
  name: 'Knowledge ingestion',
  description:
    'Validates the source, extracts its content, structures it as knowledge, checks its quality and stores it.',
  tags: ['knowledge', 'ingestion'],
  steps: ['validate_source', 'extract_content', 'structure_knowledge', 'validate_quality', 'store_knowledge'],
  requiredState: {
    source_id: 'The source to ingest.',
    content_type: 'The kind of content (e.g. "manual", "report").',
  },
})
