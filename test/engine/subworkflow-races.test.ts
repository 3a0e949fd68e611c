import type { AccessRequest } from 'spindle'
import { describe, expect, it } from 'vitest'
import { testEngines, until } from '../support/engine-fixtures'

/** A child that waits for the signal `go` and outputs its payload. */
const waitingChild = {
  schemaVersion: '2.0',
  id: 'child',
  version: '1.0.0',
  tasks: { w: { action: 'wait-for-event', params: { event: 'go' } } },
  output: 'tasks.w.output',
}

const parent = {
  schemaVersion: '2.0',
  id: 'parent',
  version: '1.0.0',
  tasks: { sub: { action: 'subworkflow', params: { workflow: 'child' } } },
  output: 'tasks.sub.output',
}

/** An `authorize` that holds the first request `when` accepts until the test answers it. */
function heldAuthorize(when: (request: AccessRequest) => boolean) {
  let answer!: (allowed: boolean) => void
  let arrive!: () => void
  const reached = new Promise<void>((resolve) => {
    arrive = resolve
  })
  let holding = true
  const authorize = (request: AccessRequest) => {
    if (!holding || !when(request)) return true
    holding = false
    arrive()
    return new Promise<boolean>((resolve) => {
      answer = resolve
    })
  }
  return { authorize, reached, answer: (allowed: boolean) => answer(allowed) }
}

describe('subworkflow: a child that ends while its parent is being cancelled', () => {
  const open = testEngines()

  const family = async (held: ReturnType<typeof heldAuthorize>) => {
    const { engine } = open({ authorize: held.authorize })
    await engine.register(waitingChild)
    await engine.register(parent)
    await engine.start('parent', {}, { runId: 'p' })
    await until(async () => (await engine.getRun('p'))!.tasks.sub!.status === 'waiting')
    await engine.idle()
    return engine
  }
  const childCancel = (r: AccessRequest) => r.verb === 'cancel' && r.runId === 'p/sub'

  it('cancels the parent when the child completed between the cascade’s check and its cancel', async () => {
    const held = heldAuthorize(childCancel)
    const engine = await family(held)
    const cancelling = engine.cancel('p')
    await held.reached
    await engine.signal('p/sub', 'go', 'done')
    expect((await engine.getRun('p/sub'))!.status).toBe('completed')
    held.answer(true)
    await cancelling
    await engine.idle()
    expect((await engine.getRun('p'))!.status).toBe('cancelled')
    expect((await engine.getRun('p/sub'))!.status).toBe('completed')
  })

  it('hands the child’s end to the parent when the parent’s cancel is refused half-way', async () => {
    const held = heldAuthorize(childCancel)
    const engine = await family(held)
    const cancelling = engine.cancel('p')
    await held.reached
    await engine.signal('p/sub', 'go', 'done')
    held.answer(false)
    await expect(cancelling).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await engine.idle()
    const view = (await engine.getRun('p'))!
    expect(view).toMatchObject({ status: 'completed', output: 'done' })
  })
})
