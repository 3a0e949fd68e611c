import { optional, required, type Template } from './template'

const DAY = 86_400_000

/** Two levels of approval with escalation and timeouts, on built-ins only. */
export const approvalChain: Template = {
  id: 'approval-chain',
  name: 'Approval chain',
  description:
    'Asks a first approver; when they do not decide in time the request escalates to a second approver; the outcome (approved or rejected, by whom) is the output. For code reviews, budget approvals, policy changes. Run input: { details: { … } } (shown to the approvers).',
  tags: ['approval', 'escalation', 'human-in-the-loop'],
  actions: [],
  params: {
    level1_approver: required('string', 'Who decides first (a principal).'),
    level2_approver: required('string', 'Who decides when the first approver lets the request time out.'),
    request_title: optional('string', 'Approval request', 'The title approvers see.'),
    level1TimeoutMs: optional('integer', DAY, 'Time the first approver has, in ms (1 day).'),
    level2TimeoutMs: optional('integer', 2 * DAY, 'Time the second approver has, in ms (2 days).'),
    onFinalTimeout: {
      type: 'string',
      default: 'reject',
      enum: ['reject', 'approve', 'fail'],
      description: 'What happens when the second approver does not decide in time.',
    },
  },
  build: (p) => ({
    description: 'Multi-level approval with escalation',
    params: { details: { type: 'any', default: {}, description: 'What is to be approved.' } },
    tasks: {
      approve: {
        action: 'approval',
        name: p.request_title,
        params: {
          title: p.request_title,
          data: '${ input.details }',
          levels: [
            { approvers: [p.level1_approver], timeoutMs: p.level1TimeoutMs, onTimeout: 'escalate' },
            { approvers: [p.level2_approver], timeoutMs: p.level2TimeoutMs, onTimeout: p.onFinalTimeout },
          ],
        },
      },
      approved: {
        action: 'transform',
        name: 'Approved',
        dependsOn: ['approve'],
        when: 'tasks.approve.output.approved',
        params: { value: { decision: 'approved', by: '${ tasks.approve.output.by }' } },
      },
      rejected: {
        action: 'transform',
        name: 'Rejected',
        dependsOn: ['approve'],
        when: '!tasks.approve.output.approved',
        params: { value: { decision: 'rejected', by: '${ tasks.approve.output.by }' } },
      },
    },
    output: 'tasks.approve.output',
  }),
}
