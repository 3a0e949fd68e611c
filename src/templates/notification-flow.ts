import type { TaskDefinition } from '../types'
import { optional, type Template } from './template'

const CHANNELS = ['email', 'slack', 'webhook']

/** One message, prepared once, sent on several channels side by side. */
export const notificationFlow: Template = {
  id: 'notification-flow',
  name: 'Notification flow',
  description:
    'Prepares a message from a template and sends it on several channels at once: email, Slack, and a webhook (the built-in http action, POSTing the message as JSON). A channel that fails does not stop the others. Run input: { variables: { … } }.',
  tags: ['notifications', 'parallel', 'http'],
  actions: ['prepare', 'email', 'slack'],
  params: {
    template: optional(
      'string',
      'notification_template',
      'The message template the prepare action fills in.',
    ),
    channels: optional('array', CHANNELS, `Channels to send on: any of ${CHANNELS.join(', ')}.`),
    recipients: optional('array', [], 'Email recipients.'),
    subject: optional('string', 'Notification', 'Email subject.'),
    slackChannel: optional('string', 'notifications', 'The Slack channel.'),
    webhookUrl: optional(
      'string',
      'https://api.example.com/notify',
      'The webhook the message is POSTed to (allow its origin in EngineOptions.http.allow).',
    ),
  },
  check: (p) => {
    const list = p.channels as unknown[]
    const unknown = list.filter((channel) => !CHANNELS.includes(channel as string))
    if (list.length > 0 && unknown.length === 0) return []
    return [
      {
        path: 'channels',
        code: 'invalid_value',
        message: `"channels" lists one or more of ${CHANNELS.join(', ')}; received ${JSON.stringify(list)}.`,
      },
    ]
  },
  build: (p) => {
    const sends: Record<string, TaskDefinition> = {
      email: {
        action: 'email',
        name: 'Send email',
        params: { to: p.recipients, subject: p.subject, message: '${ tasks.prepare.output }' },
      },
      slack: {
        action: 'slack',
        name: 'Post to Slack',
        params: { channel: p.slackChannel, message: '${ tasks.prepare.output }' },
      },
      webhook: {
        action: 'http',
        name: 'Call webhook',
        params: { url: p.webhookUrl, method: 'POST', json: '${ tasks.prepare.output }' },
      },
    }
    const chosen = CHANNELS.filter((channel) => (p.channels as unknown[]).includes(channel))
    const tasks: Record<string, TaskDefinition> = {
      prepare: {
        action: 'prepare',
        name: 'Prepare message',
        params: { template: p.template, variables: '${ input.variables }' },
      },
    }
    for (const channel of chosen)
      tasks[channel] = { ...sends[channel]!, dependsOn: ['prepare'], onError: 'continue' }
    tasks.report = {
      action: 'transform',
      name: 'Report deliveries',
      dependsOn: chosen,
      trigger: 'all-done',
      params: { value: Object.fromEntries(chosen.map((c) => [c, `\${ tasks.${c}.status }`])) },
    }
    return {
      description: 'Send notifications across multiple channels',
      params: { variables: { type: 'object', default: {}, description: 'Values for the message template.' } },
      tasks,
      output: 'tasks.report.output',
    }
  },
}
