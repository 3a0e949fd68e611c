import { ArgumentError } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

interface Inspected {
  type: string
  actorRef?: { id: string }
  event?: { type: string }
}

describe('EngineOptions.inspect: XState inspection events of run actors', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("passes the inspection events of a run's actor to the callback, named by run id", async () => {
    const seen: Inspected[] = []
    const { engine } = testEngine({ inspect: (event) => seen.push(event as Inspected) })
    await engine.register(def({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
    const ofRun = seen.filter((e) => e.actorRef?.id === runId)
    expect(ofRun.some((e) => e.type === '@xstate.actor')).toBe(true)
    const sent = ofRun.filter((e) => e.type === '@xstate.event').map((e) => e.event!.type)
    expect(sent).toEqual(expect.arrayContaining(['workflow.started', 'task.completed', 'workflow.completed']))
    expect(ofRun.some((e) => e.type === '@xstate.snapshot')).toBe(true)
    await engine.close()
  })

  it('a throwing inspector does not break the run: its failures go to reportError', async () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => {
      reported.push(error)
    })
    const failure = new Error('inspector is broken')
    const { engine } = testEngine({
      inspect: () => {
        throw failure
      },
    })
    await engine.register(def({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('completed')
    expect(view.tasks.b!.status).toBe('completed')
    expect(reported.length).toBeGreaterThan(0)
    expect(reported.every((error) => error === failure)).toBe(true)
    await engine.close()
  })

  it('an inspect option that is not a function is refused with INVALID_ARGUMENT', () => {
    const create = () => testEngine({ inspect: 'console' as never })
    expect(create).toThrow(ArgumentError)
    expect(create).toThrow(/inspect/)
  })
})
