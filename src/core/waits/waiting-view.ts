import type { TaskWait, TaskWaiting } from '../../types'

/**
 * What a task waits for, as `TaskView.waiting` shows it: the wait's kind, its deadline, and what
 * a person or a screen needs of it (an approval's level, deciders and votes; a signal's name; a
 * machine's state), built fresh for each view so no one can change the run through it.
 */
export function waitingOf(wait: TaskWait): TaskWaiting {
  const until = wait.until === undefined ? {} : { until: wait.until }
  switch (wait.kind) {
    case 'timer':
    case 'backoff':
      return { kind: wait.kind, ...until }
    case 'signal':
      return { kind: 'signal', signal: wait.name, ...until }
    case 'approval': {
      const level = wait.levels[wait.level]!
      return {
        kind: 'approval',
        title: wait.title,
        level: wait.level,
        approvers: [...level.approvers],
        groups: [...level.groups],
        quorum: level.quorum === 'all' ? level.approvers.length : level.quorum,
        votes: wait.votes.map((vote) => ({ ...vote })),
        ...until,
      }
    }
    case 'machine':
      return {
        kind: 'machine',
        machine: wait.machine,
        state: structuredClone((wait.snapshot as { value?: unknown } | undefined)?.value),
        accepts: [...wait.accepts],
      }
    case 'child':
      return { kind: 'child', runId: wait.runId }
    case 'items':
      return { kind: 'items', count: wait.count, waiting: Object.keys(wait.items).length, ...until }
  }
}
