import { chain, optional, retryOf, type Template } from './template'

/** Extract, transform, load by three agents, one after another, with retries and a pause on failure. */
export const sequentialPipeline: Template = {
  id: 'sequential-pipeline',
  name: 'Sequential pipeline',
  description:
    'Three agents in a row: extraction, transformation, loading. Each step retries with back-off; a step that still fails pauses the run for someone to look (fix, then resume or retry the task) instead of failing it. Every completed step is a checkpoint to roll back to. Run input: { source: "…" }.',
  tags: ['sequential', 'agents', 'etl', 'checkpoints'],
  actions: ['agent_task'],
  params: {
    extraction_agent: optional('string', 'data_agent', 'The agent that extracts.'),
    transformation_agent: optional('string', 'process_agent', 'The agent that transforms.'),
    loading_agent: optional('string', 'data_agent', 'The agent that loads.'),
    retries: optional('integer', 3, 'Retries of a failed step.'),
    retryDelayMs: optional('integer', 5000, 'Wait before the first retry, in ms (doubling).'),
    stepTimeoutMs: optional('integer', 3_600_000, 'Time limit of each attempt, in ms (1 hour).'),
  },
  build: (p) => ({
    description: 'Linear processing with checkpoints and error handling',
    params: { source: { type: 'any', default: null, description: 'What the extraction reads.' } },
    defaults: { retry: retryOf(p), timeoutMs: p.stepTimeoutMs, onError: 'pause' },
    tasks: chain({
      extract: {
        action: 'agent_task',
        name: 'Extract',
        params: { agent: p.extraction_agent, task: 'extract', source: '${ input.source }' },
      },
      transform: {
        action: 'agent_task',
        name: 'Transform',
        params: { agent: p.transformation_agent, task: 'transform', data: '${ tasks.extract.output }' },
      },
      load: {
        action: 'agent_task',
        name: 'Load',
        params: { agent: p.loading_agent, task: 'load', data: '${ tasks.transform.output }' },
      },
    }),
    output: 'tasks.load.output',
  }),
}
