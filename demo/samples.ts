import type { WorkflowDefinition } from 'spindle'

/** A workflow the demo registers on load and starts with one click. */
export interface Sample {
  definition: WorkflowDefinition
  /** The run input the start button passes. */
  input: Record<string, unknown>
  /** What the sample shows, in a few words, for its button. */
  shows: string
}

const photoPipeline: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'photo-pipeline',
  version: '1.0.0',
  name: 'Photo pipeline',
  description: 'Fetch an album, process it three ways side by side, then publish',
  params: { album: { type: 'string', default: 'holiday' } },
  expectedDurationMs: 5000,
  tasks: {
    fetch: { action: 'work', name: 'Fetch album', params: { ms: 800, label: "${ 'fetch ' + input.album }" } },
    thumbnails: { action: 'work', name: 'Thumbnails', dependsOn: ['fetch'], params: { ms: 1600 } },
    metadata: { action: 'work', name: 'Read metadata', dependsOn: ['fetch'], params: { ms: 1000 } },
    scan: { action: 'work', name: 'Virus scan', dependsOn: ['fetch'], params: { ms: 1300 } },
    publish: {
      action: 'transform',
      name: 'Publish',
      dependsOn: ['thumbnails', 'metadata', 'scan'],
      params: {
        value:
          "${ {'album': input.album, 'steps': [tasks.thumbnails.output.label, tasks.metadata.output.label, tasks.scan.output.label]} }",
      },
    },
  },
  output: 'tasks.publish.output',
}

const flakySync: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'flaky-sync',
  version: '1.0.0',
  name: 'Flaky sync',
  description: 'Connect (fails once, retried), upload (fails three times: retry it by hand), notify',
  params: { target: { type: 'string', default: 'backup.example' } },
  expectedDurationMs: 6000,
  defaults: { retry: { maxAttempts: 3, initialDelayMs: 1000 } },
  tasks: {
    connect: {
      action: 'flaky',
      name: 'Connect',
      params: { succeedOn: 2, label: "${ 'connect to ' + input.target }" },
    },
    upload: {
      action: 'flaky',
      name: 'Upload',
      dependsOn: ['connect'],
      retry: { maxAttempts: 3, initialDelayMs: 1000 },
      params: { succeedOn: 4, ms: 500, label: "${ 'upload to ' + input.target }" },
    },
    notify: {
      action: 'work',
      name: 'Notify',
      dependsOn: ['upload'],
      params: { ms: 500, label: "${ 'notify: uploaded on attempt ' + string(tasks.upload.output.attempt) }" },
    },
  },
  output: 'tasks.notify.output',
}

const nightlyReport: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'nightly-report',
  version: '1.0.0',
  name: 'Nightly report',
  description: 'Collect, crunch four regions one by one, publish: reload the page while it crunches',
  params: { regions: { type: 'array', default: ['north', 'south', 'east', 'west'] } },
  expectedDurationMs: 20000,
  tasks: {
    collect: { action: 'work', name: 'Collect figures', params: { ms: 1500 } },
    crunch: {
      action: 'work',
      name: 'Crunch each region',
      dependsOn: ['collect'],
      forEach: 'input.regions',
      concurrency: 1,
      params: { ms: 3000, label: "${ 'crunch ' + item }" },
    },
    publish: {
      action: 'work',
      name: 'Publish report',
      dependsOn: ['crunch'],
      params: { ms: 1000, label: "${ 'report on ' + string(size(tasks.crunch.output)) + ' regions' }" },
    },
  },
  output: "{'regions': size(tasks.crunch.output), 'published': tasks.publish.output.label}",
}

const orderReview: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'order-review',
  version: '1.0.0',
  name: 'Order review',
  description: 'Price each line, review big orders only (when), then ship',
  params: {
    orderId: { type: 'string', default: 'A-17' },
    total: { type: 'number', default: 1250 },
    lines: { type: 'array', default: ['lamp', 'desk', 'chair', 'rug', 'shelf'] },
  },
  expectedDurationMs: 5000,
  tasks: {
    price: {
      action: 'work',
      name: 'Price lines',
      forEach: 'input.lines',
      concurrency: 2,
      params: { ms: 600, label: "${ 'price ' + item }" },
    },
    review: {
      action: 'work',
      name: 'Manual review',
      when: 'input.total > 1000.0',
      params: { ms: 1200, label: "${ 'review order ' + input.orderId }" },
    },
    express: { action: 'noop', name: 'Express lane', when: 'input.total <= 1000.0' },
    ship: {
      action: 'transform',
      name: 'Ship',
      dependsOn: ['price', 'review', 'express'],
      // One of review and express is always skipped: ship joins the branch taken.
      trigger: 'none-failed',
      params: {
        value:
          "${ {'order': input.orderId, 'lines': size(tasks.price.output), 'reviewed': tasks.review.status == 'completed'} }",
      },
    },
  },
  output: 'tasks.ship.output',
}

const expenseApproval: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  description: 'Check an expense, then wait for alice or bob to approve it with a limit',
  params: { amount: { type: 'number', default: 480 }, purpose: { type: 'string', default: 'conference' } },
  tasks: {
    check: { action: 'work', name: 'Check receipt', params: { ms: 600, label: 'check receipt' } },
    approve: {
      action: 'approval',
      name: 'Approve',
      dependsOn: ['check'],
      params: {
        title: "${ 'Expense of ' + string(input.amount) + ' for ' + input.purpose }",
        data: '${ input }',
        form: {
          type: 'object',
          required: ['limit'],
          properties: {
            limit: { type: 'integer', minimum: 1, description: 'The most that may be paid out' },
          },
        },
        levels: [{ approvers: ['alice', 'bob'] }],
      },
    },
    pay: {
      action: 'transform',
      name: 'Pay out',
      dependsOn: ['approve'],
      when: 'tasks.approve.output.approved',
      params: { value: "${ {'paid': input.amount, 'by': tasks.approve.output.by} }" },
    },
  },
  output: 'tasks.pay.output',
}

const albumBatch: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'album-batch',
  version: '1.0.0',
  name: 'Album batch',
  description: 'Run the photo pipeline as a child run for each album, two at a time',
  params: { albums: { type: 'array', default: ['spring', 'summer'] } },
  tasks: {
    albums: {
      action: 'subworkflow',
      name: 'Each album',
      forEach: 'input.albums',
      concurrency: 2,
      params: { workflow: 'photo-pipeline', input: { album: '${ item }' } },
    },
    report: {
      action: 'transform',
      name: 'Report',
      dependsOn: ['albums'],
      params: { value: "${ {'albums': size(tasks.albums.output)} }" },
    },
  },
  output: 'tasks.report.output',
}

/** The samples, in the order of their buttons. */
export const samples: readonly Sample[] = [
  { definition: photoPipeline, input: { album: 'holiday' }, shows: 'fan-out and join' },
  { definition: flakySync, input: {}, shows: 'failure, back-off, retry' },
  { definition: nightlyReport, input: {}, shows: 'survives a reload' },
  { definition: orderReview, input: { total: 1250 }, shows: 'when and forEach' },
  { definition: expenseApproval, input: {}, shows: 'an approval with a form' },
  { definition: albumBatch, input: {}, shows: 'child runs under forEach' },
]
