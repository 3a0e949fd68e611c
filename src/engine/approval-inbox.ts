import type { Observable } from 'rxjs'
import { approvalFeed } from '../core/approval-feed'
import type { EngineScope } from '../host/engine-scope'
import type { JournalWriter } from '../runtime/journal'
import type { Store } from '../store/store'
import type { ApprovalFilter, ApprovalItem, WorkflowEvent } from '../types'
import { approvalQuery, checkGroups } from './approval-filter'
import { closingRace } from './closing-race'
import type { EngineOptions } from './engine-types'

/** What the inbox reads from. */
export interface ApprovalInboxContext {
  readonly store: Store
  readonly journal: JournalWriter
  readonly scope: EngineScope
  readonly events$: Observable<WorkflowEvent>
  readonly groupsOf: EngineOptions['groupsOf']
}

/**
 * The engine's approvals inbox: `listApprovals` reads the store's approvals (never a run), and
 * `approvals$` follows it live from the engine's own events.
 */
export class ApprovalInbox {
  readonly #ctx: ApprovalInboxContext

  constructor(ctx: ApprovalInboxContext) {
    this.#ctx = ctx
  }

  /** See `Engine.listApprovals`. */
  async list(filter?: ApprovalFilter): Promise<ApprovalItem[]> {
    this.#ctx.scope.check()
    const { principal, ...query } = approvalQuery(filter)
    const { groupsOf, scope } = this.#ctx
    // A groupsOf that never answers must not keep the call pending past close().
    const groups =
      principal === undefined || !groupsOf ? [] : await closingRace(scope.signal, () => groupsOf(principal))
    const decider =
      principal === undefined ? undefined : { principal, groups: checkGroups(principal, groups ?? []) }
    // What the engine published is committed before it is read: the list never lags its events.
    await this.#ctx.journal.committed()
    return this.#ctx.store.listApprovals(decider ? { ...query, decider } : query)
  }

  /** See `Engine.approvals$`; a bad filter throws at once. */
  approvals$(filter?: ApprovalFilter): Observable<ApprovalItem[]> {
    approvalQuery(filter)
    const copy = filter === undefined ? undefined : structuredClone(filter)
    return approvalFeed(this.#ctx.events$, () => this.list(copy))
  }
}
