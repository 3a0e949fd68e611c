import type { Observable } from 'rxjs'
import type { Store } from '../store/store'
import type {
  Action,
  ActionHandler,
  Alert,
  CheckpointInfo,
  Clock,
  DefinitionInfo,
  EngineDefaults,
  Health,
  HistoryEntry,
  Progress,
  RunFilter,
  RunInfo,
  RunPage,
  RunSnapshot,
  RunView,
  StartOptions,
  ValidationResult,
  WaitOptions,
  WorkflowDefinition,
  WorkflowEvent,
} from '../types'

export interface EngineOptions {
  store?: Store
  actions?: Record<string, ActionHandler | Action<any, any>>
  /**
   * Runs with work executing at once; more wait as `queued` and start in order. A paused run,
   * and a running one whose tasks all wait (a delay, an event, a retry back-off), do not count;
   * such a run goes on at once when it wakes, even above the limit. Default: unlimited.
   */
  maxConcurrentRuns?: number
  defaults?: EngineDefaults
  clock?: Clock
  /** Random numbers for back-off jitter (tests make it deterministic). Default: Math.random. */
  random?: () => number
  /** Journal entries between two snapshots (at least the run's task count, so writes per step stay constant). Default 200. */
  snapshotEvery?: number
  /**
   * How deep child runs (`subworkflow`) nest: a task that would start a child deeper fails with
   * `INVALID_STATE`. Default 8.
   */
  maxChildDepth?: number
  /** Call `recover()` on creation. Default true. */
  recover?: boolean
  /**
   * Receives the XState inspection events of every run actor (createActor's `inspect`), whose
   * id is the run id: pass `createBrowserInspector().inspect` from `@statelyai/inspect` to watch
   * runs in the Stately Inspector. A throwing callback is reported (`reportError`), never fatal.
   */
  inspect?: (inspectionEvent: unknown) => void
}

export interface Engine {
  /** The store's name (the database): runs of one database share Web Locks and a BroadcastChannel. */
  readonly storeName: string
  /** Every action the engine can run, built-ins included. */
  readonly actionNames: readonly string[]

  register(definition: unknown): Promise<DefinitionInfo>
  validate(definition: unknown): ValidationResult
  getDefinition(id: string, version?: string): Promise<WorkflowDefinition | undefined>
  listDefinitions(): Promise<DefinitionInfo[]>
  deleteDefinition(id: string, version?: string): Promise<void>

  start(definitionId: string, input?: Record<string, unknown>, options?: StartOptions): Promise<RunInfo>
  pause(runId: string): Promise<RunInfo>
  resume(runId: string): Promise<RunInfo>
  cancel(runId: string, reason?: string): Promise<RunInfo>
  retryTask(runId: string, taskId: string): Promise<RunInfo>
  skipTask(runId: string, taskId: string): Promise<RunInfo>
  signal(runId: string, name: string, payload?: unknown): Promise<RunInfo>

  getRun(runId: string): Promise<RunView | undefined>
  listRuns(filter?: RunFilter): Promise<RunPage>
  checkpoints(runId: string): Promise<CheckpointInfo[]>
  history(runId: string): Promise<HistoryEntry[]>
  wait(runId: string, options?: WaitOptions): Promise<RunView>

  readonly events$: Observable<WorkflowEvent>
  progress$(runId: string): Observable<Progress>
  health$(runId?: string): Observable<Health>
  readonly alerts$: Observable<Alert>

  /**
   * The run's state now, with its definition: what a page needs to follow the run with
   * `createRunReplica` (progress and health are pure functions of it).
   */
  runSnapshot(runId: string): Promise<RunSnapshot | undefined>
  /** Saves a named checkpoint at the run's current position. */
  checkpoint(runId: string, reason?: string): Promise<CheckpointInfo>
  /**
   * Rolls a running, paused, failed or completed run back to a checkpoint (default: the latest;
   * `runId:0` is its start): fences the run, runs the `compensate` actions of the tasks completed
   * after the checkpoint, newest first, restores the run to it and leaves it `paused`; `resume`
   * re-runs what followed. Entries after it stay in `history` marked `rolledBack`.
   */
  rollback(runId: string, checkpointId?: string): Promise<RunInfo>

  /**
   * Resumes the store's interrupted `running`/`queued` runs and resolves with them; runs another
   * engine holds are taken over when it lets go. Passive runs (all their tasks wait) stay in the
   * store: the deadline heap wakes them at their time, at once when it passed.
   *
   * @example
   * const engine = createEngine({ store: indexedDbStore({ name: 'orders' }), recover: false })
   * const resumed = await engine.recover()
   */
  recover(): Promise<RunInfo[]>
  close(): Promise<void>
  /**
   * For tests, in place of sleeping until the engine settles: resolves when the recovery begun
   * on creation is done, no journal commit is queued or in flight, no round of effects is pending, and no action result that already
   * settled is still on its way in. Actions still working, clock timers and other engines are
   * not waited for.
   *
   * @example
   * const { runId } = await engine.start('chain')
   * await engine.idle()
   * expect((await engine.getRun(runId))!.status).toBe('completed')
   */
  idle(): Promise<void>
}
