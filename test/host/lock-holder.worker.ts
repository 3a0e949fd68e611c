import { tryLockRun } from '../../src/host/locks'

/*
 * Takes a run lock when asked and never gives it back: only the worker's termination frees it.
 * Replies 'locked', or 'busy' when someone else holds the lock.
 */
addEventListener('message', async (event: MessageEvent<{ db: string; runId: string }>) => {
  const lock = await tryLockRun(event.data.db, event.data.runId)
  postMessage(lock ? 'locked' : 'busy')
})
