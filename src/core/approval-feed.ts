import { Observable } from 'rxjs'
import { APPROVAL_CLOSING_EVENTS, type ApprovalItem, type EngineEvent, isRunEvent } from '../types'

/**
 * Whether the inbox may read differently after `event` is committed: an approval event, or one
 * that ends an open approval without a decision (the store's projection closes it on the same).
 */
export function changesApprovals(event: EngineEvent): boolean {
  if (!isRunEvent(event)) return false
  return event.type.startsWith('approval.') || APPROVAL_CLOSING_EVENTS.has(event.type)
}

/**
 * A live inbox: `list()` now, then again after each burst of `events$` that may change it (one
 * read at a time; events during a read make one more read after it, so the last change is never
 * missed and a busy stream never starves the reader). Emits a list only when it differs from the
 * last one. Errors with the first failed read; completes with `events$` (the engine closed).
 *
 * Events are published after their commit, so a read started on one sees what it committed.
 */
export function approvalFeed(
  events$: Observable<EngineEvent>,
  list: () => Promise<ApprovalItem[]>,
): Observable<ApprovalItem[]> {
  return new Observable<ApprovalItem[]>((subscriber) => {
    let reading = false
    let again = false
    let last: string | undefined
    const read = (): void => {
      if (reading) {
        again = true
        return
      }
      reading = true
      list().then(
        (items) => {
          reading = false
          if (subscriber.closed) return
          const seen = JSON.stringify(items)
          if (seen !== last) {
            last = seen
            subscriber.next(items)
          }
          if (again) {
            again = false
            read()
          }
        },
        (error: unknown) => subscriber.error(error),
      )
    }
    const events = events$.subscribe({
      next: (event) => {
        if (changesApprovals(event)) read()
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    })
    read()
    return () => events.unsubscribe()
  })
}
