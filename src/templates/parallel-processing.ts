import type { TaskDefinition } from '../types'
import { optional, type Template } from './template'

const WORKERS = [1, 2, 3] as const

/** Three partitions processed side by side by three agents, each checked, then aggregated. */
export const parallelProcessing: Template = {
  id: 'parallel-processing',
  name: 'Parallel processing',
  description:
    'Has three agents process three partitions of the input items side by side (each agent gets the items, its partition number and the partition count), checks the quality of each partition and aggregates the results. Run input: { items: [ … ] }.',
  tags: ['parallel', 'agents', 'fan-out'],
  actions: ['agent_task', 'quality_check'],
  params: {
    worker_agent_1: optional('string', 'CA', 'The agent that processes partition 1.'),
    worker_agent_2: optional('string', 'CB', 'The agent that processes partition 2.'),
    worker_agent_3: optional('string', 'CC', 'The agent that processes partition 3.'),
    aggregator_agent: optional('string', 'aggregator', 'The agent that aggregates the results.'),
    minQuality: optional('number', 0.8, 'The quality score a partition must reach (0 to 1).'),
  },
  build: (p) => {
    const tasks: Record<string, TaskDefinition> = {}
    for (const n of WORKERS) {
      tasks[`process_${n}`] = {
        action: 'agent_task',
        name: `Process partition ${n}`,
        // Each agent gets the whole list and its share of it: partition n of 3.
        params: {
          agent: p[`worker_agent_${n}`],
          items: '${ input.items }',
          partition: n,
          partitions: WORKERS.length,
        },
      }
      tasks[`check_${n}`] = {
        action: 'quality_check',
        name: `Check partition ${n}`,
        dependsOn: [`process_${n}`],
        params: { result: `\${ tasks.process_${n}.output }`, minQuality: p.minQuality },
      }
    }
    tasks.aggregate = {
      action: 'agent_task',
      name: 'Aggregate results',
      dependsOn: WORKERS.map((n) => `check_${n}`),
      params: {
        agent: p.aggregator_agent,
        results: WORKERS.map((n) => `\${ tasks.process_${n}.output }`),
      },
    }
    return {
      description: 'Parallel task execution with per-partition quality checks and aggregation',
      params: { items: { type: 'array', required: true, description: 'The items to process.' } },
      tasks,
      output: 'tasks.aggregate.output',
    }
  },
}
