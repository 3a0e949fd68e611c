import { optional, type Template } from './template'

/** An assessment routes the work to an urgent or a standard path; both join in one finish. */
export const conditionalWorkflow: Template = {
  id: 'conditional-workflow',
  name: 'Conditional workflow',
  description:
    'An agent assesses the request and scores its priority; at or above the threshold an urgent agent takes it, below it a standard agent does (the branch not taken is skipped), and a final step joins the path that ran (trigger none-failed). Run input: { request: { … } }.',
  tags: ['conditional', 'branching', 'agents', 'trigger-rules'],
  actions: ['agent_task'],
  params: {
    assessment_agent: optional(
      'string',
      'review_agent',
      'The agent that assesses and scores the priority (output: { priority: number }).',
    ),
    priority_agent: optional('string', 'urgent_agent', 'The agent for requests at or above the threshold.'),
    standard_agent: optional('string', 'standard_agent', 'The agent for the others.'),
    threshold: optional('number', 0.7, 'The priority score from which a request is urgent.'),
  },
  build: (p) => {
    const threshold = celDouble(p.threshold)
    return {
      description: 'Decision tree with multiple execution paths',
      params: { request: { type: 'any', default: {}, description: 'The request to assess.' } },
      tasks: {
        assess: {
          action: 'agent_task',
          name: 'Assess',
          params: { agent: p.assessment_agent, task: 'assess', request: '${ input.request }' },
        },
        urgent: {
          action: 'agent_task',
          name: 'Urgent path',
          dependsOn: ['assess'],
          when: `double(tasks.assess.output.priority) >= ${threshold}`,
          params: { agent: p.priority_agent, task: 'handle', request: '${ input.request }' },
        },
        standard: {
          action: 'agent_task',
          name: 'Standard path',
          dependsOn: ['assess'],
          when: `double(tasks.assess.output.priority) < ${threshold}`,
          params: { agent: p.standard_agent, task: 'handle', request: '${ input.request }' },
        },
        finish: {
          action: 'transform',
          name: 'Finish',
          dependsOn: ['urgent', 'standard'],
          trigger: 'none-failed',
          params: {
            value: {
              path: "${ tasks.urgent.status == 'completed' ? 'urgent' : 'standard' }",
              priority: '${ tasks.assess.output.priority }',
            },
          },
        },
      },
      output: 'tasks.finish.output',
    }
  },
}

/** A number as a CEL double literal (`1` → `1.0`), so it compares with a double. */
function celDouble(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value)
}
