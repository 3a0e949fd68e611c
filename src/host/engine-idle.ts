import type { JournalWriter } from '../runtime/journal'
import type { RunExecutor } from '../runtime/run-executor'

/**
 * Resolves once the engine has nothing of its own left to do: no journal commit queued or in
 * flight, no round of effects waiting for one, and no promise chain that already settled (an
 * action's result on its way to the journal, a zero-delay timer) still running. It waits on the
 * engine's own promises rather than for a guessed number of turns, so it holds for IndexedDB as
 * for the memory store. It does not wait for actions still working, for clock timers, or for
 * other engines (lock handover, takeover).
 */
export async function untilIdle(
  journal: JournalWriter,
  executors: () => Iterable<RunExecutor>,
): Promise<void> {
  for (;;) {
    await journal.settled()
    for (const executor of [...executors()]) await executor.idle()
    // Promise chains that settled meanwhile run before the next task; what they start is
    // either visible below or awaited on the next turn of the loop.
    await nextTask()
    if (journal.idle && ![...executors()].some((executor) => executor.busy)) return
  }
}

/** The next turn of the event loop, without the clamping of nested `setTimeout` calls. */
function nextTask(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0))
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}
