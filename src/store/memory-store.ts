import { memoryApprovalStore } from './memory-approval-store'
import { memoryCacheStore } from './memory-cache-store'
import { memoryDefinitionStore } from './memory-definition-store'
import { memoryEventLog } from './memory-event-log'
import { memoryJournalStore } from './memory-journal-store'
import { memoryRouteStore } from './memory-route-store'
import { memoryRunStore } from './memory-run-store'
import { memoryScheduleStore } from './memory-schedule-store'
import { memorySecretStore } from './memory-secret-store'
import type { ApprovalRecord } from './ports/approval-store'
import type { RunRecord, Store } from './store'
import { checkOptions } from './store-arguments'

/**
 * A `Store` kept in memory: nothing survives the page. For tests, and for apps that want the
 * engine without durability. Values are structured-cloned on the way in and out, as IndexedDB does.
 *
 * @example
 * const engine = createEngine({ store: memoryStore() })
 */
export function memoryStore(options: { name?: string } = {}): Store {
  checkOptions('memoryStore', options, { name: true })
  const name = options.name ?? `memory-${Math.random().toString(36).slice(2, 10)}`
  const runs = new Map<string, RunRecord>()
  const approvals = new Map<string, ApprovalRecord>()
  const { counts, ...journal } = memoryJournalStore(runs, approvals)
  const definitions = memoryDefinitionStore()
  const secrets = memorySecretStore(name)
  const routes = memoryRouteStore()
  const schedules = memoryScheduleStore()
  const cache = memoryCacheStore()
  const { count: countEvents, ...events } = memoryEventLog()
  return {
    name,
    ...definitions,
    ...memoryRunStore(runs, name),
    ...journal,
    ...memoryApprovalStore(approvals),
    ...secrets,
    ...routes,
    ...events,
    ...schedules,
    ...cache,
    countRecords: async () => ({
      definitions: (await definitions.listDefinitions()).length,
      runs: runs.size,
      ...counts(),
      approvals: approvals.size,
      secrets: (await secrets.listSecrets()).length,
      routes: (await routes.listRoutes()).length,
      events: countEvents(),
      schedules: (await schedules.listSchedules()).length,
    }),
    close: async () => {},
  }
}
