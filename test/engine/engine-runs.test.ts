import { filter } from 'rxjs'
import {
  InputError,
  InvalidStateError,
  isRunEvent,
  memoryStore,
  NotFoundError,
  type WorkflowEvent,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { controllable, def, testEngine } from '../support/engine-fixtures'

describe('running a workflow', () => {
  it('runs the tasks in dependency order and computes the output', async () => {
    const order: string[] = []
    const { engine } = testEngine({
      actions: {
        step: (params: { name: string }) => {
          order.push(params.name)
          return { name: params.name }
        },
      },
    })
    await engine.register(
      def(
        {
          a: { action: 'step', params: { name: 'a' } },
          b: { action: 'step', params: { name: 'b' }, dependsOn: ['a'] },
          c: { action: 'step', params: { name: 'c' }, dependsOn: ['a'] },
          d: {
            action: 'transform',
            dependsOn: ['b', 'c'],
            params: { value: '${ tasks.b.output.name + tasks.c.output.name }' },
          },
        },
        { output: 'tasks.d.output' },
      ),
    )
    const run = await engine.start('wf')
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.output).toBe('bc')
    expect(order[0]).toBe('a')
    expect(order.slice(1).sort()).toEqual(['b', 'c'])
    expect(view.tasks.d).toMatchObject({ status: 'completed', attempts: 1, output: 'bc' })
    expect(view.progress).toMatchObject({ completed: 4, total: 4, percent: 100 })
  })

  it('runs the DESIGN example shape: input params, templates and transform', async () => {
    const { engine } = testEngine()
    await engine.register(
      def(
        { sum: { action: 'transform', params: { value: "${ {'total': input.a + input.b} }" } } },
        {
          params: { a: { type: 'number', required: true }, b: { type: 'number', default: 2 } },
          output: 'tasks.sum.output.total',
        },
      ),
    )
    const run = await engine.start('wf', { a: 1.5 })
    const view = await engine.wait(run.runId)
    expect(view.input).toEqual({ a: 1.5, b: 2 })
    expect(view.output).toBe(3.5)
  })

  it('without an output expression, outputs the leaf tasks by id', async () => {
    const { engine } = testEngine()
    await engine.register(
      def({ a: { action: 'transform', params: { value: 1 } }, b: { action: 'noop', dependsOn: ['a'] } }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.output).toEqual({ b: null })
  })

  it('rejects bad input with INPUT_INVALID and starts nothing', async () => {
    const { engine } = testEngine()
    await engine.register(
      def({ a: { action: 'noop' } }, { params: { n: { type: 'number', required: true } } }),
    )
    const error = await engine.start('wf', { n: 'x' }).catch((e) => e)
    expect(error).toBeInstanceOf(InputError)
    expect(error.code).toBe('INPUT_INVALID')
    expect(error.issues[0].path).toBe('n')
    expect(await engine.listRuns()).toEqual({ runs: [] })
  })

  it('rejects an unknown definition, version or run with NOT_FOUND', async () => {
    const { engine } = testEngine()
    await expect(engine.start('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await engine.register(def({ a: { action: 'noop' } }))
    await expect(engine.start('wf', {}, { version: '9.9.9' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.pause('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await engine.getRun('no-such-run')).toBeUndefined()
    await expect(engine.history('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('rejects a duplicate run id and bad arguments with INVALID_ARGUMENT', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    await engine.start('wf', {}, { runId: 'r1' })
    await expect(engine.start('wf', {}, { runId: 'r1' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(engine.start('wf', {}, { runId: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(engine.listRuns({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(engine.listRuns({ status: ['bogus' as never] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(engine.wait('r1', { timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it("refuses a caller's run id that names a stored run; reads no run for a generated id", async () => {
    const inner = memoryStore()
    const first = testEngine({ store: inner }).engine
    await first.register(def({ a: { action: 'noop' } }))
    await first.wait((await first.start('wf', {}, { runId: 'r1' })).runId)
    await first.close()
    const read: string[] = []
    // A fault that never fires: it only records which runs start() reads.
    const store = faultyStore(inner, {
      method: 'getRun',
      times: Infinity,
      when: (runId) => !read.push(runId),
    })
    const { engine } = testEngine({ store })
    const taken = engine.start('wf', {}, { runId: 'r1' })
    await expect(taken).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', value: 'r1' })
    expect(await engine.history('r1')).toHaveLength((await inner.readJournal('r1')).length)
    const generated = await engine.start('wf')
    expect((await engine.wait(generated.runId)).status).toBe('completed')
    expect(read).toEqual(['r1', 'r1'])
  })

  it('keeps run concurrency: never more tasks in flight than allowed', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    const tasks = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, { action: 'slow' }]))
    await engine.register(def(tasks, { concurrency: 3 }))
    const run = await engine.start('wf')
    await engine.idle()
    expect(slow.calls).toHaveLength(3)
    for (let done = 0; done < 10; done++) {
      const inFlight = slow.calls.length - done
      expect(inFlight).toBeLessThanOrEqual(3)
      slow.calls[done]!.resolve(done)
      await engine.idle()
    }
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })

  it('skips a task whose `when` is false; all-done dependents still run and see status skipped', async () => {
    const { engine } = testEngine()
    await engine.register(
      def(
        {
          a: { action: 'transform', params: { value: 5 } },
          big: { action: 'noop', dependsOn: ['a'], when: 'tasks.a.output > 10' },
          after: {
            action: 'transform',
            dependsOn: ['big'],
            trigger: 'all-done',
            params: { value: '${ tasks.big.status }' },
          },
        },
        { output: 'tasks.after.output' },
      ),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.tasks.big!.status).toBe('skipped')
    expect(view.output).toBe('skipped')
    const skipped = (await engine.history(view.runId)).find((e) => e.type === 'task.skipped')
    expect(skipped).toMatchObject({ taskId: 'big', reason: 'condition' })
  })

  it('fans out with forEach, keeps item order and per-task concurrency, with item keys', async () => {
    const seen: { index?: number; key: string }[] = []
    let inFlight = 0
    let peak = 0
    const { engine } = testEngine({
      actions: {
        double: async (params: { n: number }, ctx) => {
          seen.push({ index: ctx.index, key: ctx.idempotencyKey })
          inFlight++
          peak = Math.max(peak, inFlight)
          await new Promise((r) => setTimeout(r, 1))
          inFlight--
          return params.n * 2
        },
      },
    })
    await engine.register(
      def(
        {
          list: { action: 'transform', params: { value: [3, 1, 4, 1, 5, 9, 2, 6] } },
          each: {
            action: 'double',
            dependsOn: ['list'],
            forEach: 'tasks.list.output',
            concurrency: 2,
            params: { n: '${ item }' },
          },
        },
        { output: 'tasks.each.output' },
      ),
    )
    const run = await engine.start('wf', {}, { runId: 'fan' })
    const view = await engine.wait(run.runId)
    expect(view.output).toEqual([6, 2, 8, 2, 10, 18, 4, 12])
    expect(peak).toBe(2)
    expect(seen.map((s) => s.key).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `fan:each:${i}`).sort())
    const items = (await engine.history('fan')).filter((e) => e.type === 'task.item-completed')
    expect(items).toHaveLength(8)
    // Each says how many items there are: a view of the run counts them while it runs.
    expect(items.map((e) => (e.type === 'task.item-completed' ? e.count : undefined))).toEqual(
      Array(8).fill(8),
    )
  })

  it('fails a forEach task whose expression is not an array, without retrying', async () => {
    const { engine } = testEngine()
    await engine.register(
      def(
        { each: { action: 'noop', forEach: 'input.x', retry: { maxAttempts: 3 } } },
        { params: { x: { type: 'any' } } },
      ),
    )
    const view = await engine.wait((await engine.start('wf', { x: 'not-a-list' })).runId)
    expect(view.status).toBe('failed')
    expect(view.tasks.each).toMatchObject({ status: 'failed', attempts: 1 })
    expect(view.error).toMatchObject({ code: 'TASK_FAILED', taskId: 'each' })
  })

  it('passes the action context: attempt, idempotency key, run and task ids, shared state', async () => {
    const contexts: any[] = []
    const { engine } = testEngine({
      actions: {
        first: (_: unknown, ctx) => {
          // A spread copies the plain fields; `signal`, `state`, `progress` and `log` are read.
          contexts.push({ ...ctx, signal: ctx.signal })
          ctx.state.set('count', 1)
          expect(ctx.state.get('count')).toBe(1)
          return 'ok'
        },
        second: (_: unknown, ctx) => {
          contexts.push({ ...ctx })
          return ctx.state.get('count')
        },
      },
    })
    await engine.register(
      def(
        { a: { action: 'first' }, b: { action: 'second', dependsOn: ['a'] } },
        { output: "{'b': tasks.b.output, 's': state.count}" },
      ),
    )
    const view = await engine.wait((await engine.start('wf', {}, { runId: 'ctx-run' })).runId)
    expect(view.output).toEqual({ b: 1, s: 1 })
    expect(view.state).toEqual({ count: 1 })
    expect(contexts[0]).toMatchObject({
      attempt: 1,
      idempotencyKey: 'ctx-run:a',
      runId: 'ctx-run',
      taskId: 'a',
    })
    expect(contexts[0].signal).toBeInstanceOf(AbortSignal)
    const done = (await engine.history('ctx-run')).find(
      (e) => e.type === 'task.completed' && e.taskId === 'a',
    )
    expect(done).toMatchObject({ state: { count: 1 } })
  })

  it('hands out the context fields destructured: signal, state, progress and log work on their own', async () => {
    const seen: unknown[] = []
    const { engine } = testEngine({
      actions: {
        work: (_: unknown, ctx) => {
          const { signal, state, progress, log, attempt, taskId } = ctx
          seen.push(signal instanceof AbortSignal, attempt, taskId, 'index' in ctx)
          state.set('n', 2)
          progress(0.5)
          log('half', 'way')
          return state.get('n')
        },
      },
    })
    await engine.register(def({ a: { action: 'work' } }))
    const view = await engine.wait((await engine.start('wf', {}, { runId: 'parts' })).runId)
    expect(view.output).toEqual({ a: 2 })
    expect(seen).toEqual([true, 1, 'a', false])
    const history = await engine.history('parts')
    expect(history).toContainEqual(
      expect.objectContaining({ type: 'task.progress', taskId: 'a', fraction: 0.5 }),
    )
    expect(history).toContainEqual(
      expect.objectContaining({ type: 'task.log', taskId: 'a', message: 'half way' }),
    )
  })

  it('emits task.progress and task.log from the action context, and rejects a bad fraction', async () => {
    const { engine } = testEngine({
      actions: {
        work: (_: unknown, ctx) => {
          ctx.progress(0.5, 'half')
          ctx.log('done', { n: 1 })
          expect(() => ctx.progress(2)).toThrow(/fraction in \[0, 1\]/)
          return null
        },
      },
    })
    await engine.register(def({ a: { action: 'work' } }))
    const view = await engine.wait((await engine.start('wf')).runId)
    const history = await engine.history(view.runId)
    expect(history.find((e) => e.type === 'task.progress')).toMatchObject({
      taskId: 'a',
      fraction: 0.5,
      note: 'half',
    })
    expect(history.find((e) => e.type === 'task.log')).toMatchObject({ taskId: 'a', message: 'done {"n":1}' })
  })

  it('fails a task whose output cannot be stored, with OUTPUT_INVALID', async () => {
    const { engine } = testEngine({ actions: { bad: () => ({ fn: () => 1 }) } })
    await engine.register(def({ a: { action: 'bad' } }))
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.tasks.a!.error).toMatchObject({ code: 'OUTPUT_INVALID' })
  })

  it('numbers events per run with strictly increasing seq, and history returns them', async () => {
    const { engine } = testEngine()
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    await engine.register(def({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.wait(run.runId)
    const seqs = events.map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(events[0]).toMatchObject({ type: 'workflow.started', seq: 1 })
    expect(events.at(-1)).toMatchObject({ type: 'workflow.completed' })
    const history = await engine.history(run.runId)
    expect(history.map((e) => e.seq)).toEqual(seqs)
    expect(history.map((e) => e.type)).toEqual(events.map((e) => e.type))
  })

  it('publishes task.completed only after its journal write, before dependents start', async () => {
    const { engine, store } = testEngine()
    const checks: Promise<void>[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => {
      if (e.type === 'task.completed' || e.type === 'task.started') {
        checks.push(
          store.readJournal(e.runId).then((journal) => {
            expect(journal.some((j) => j.seq === e.seq)).toBe(true)
          }),
        )
      }
    })
    await engine.register(def({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }))
    await engine.wait((await engine.start('wf')).runId)
    await Promise.all(checks)
    expect(checks.length).toBe(4)
  })

  it('queues runs beyond maxConcurrentRuns and starts them in order', async () => {
    const slow = controllable()
    const { engine } = testEngine({ maxConcurrentRuns: 1, actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const first = await engine.start('wf')
    const second = await engine.start('wf')
    expect(first.status).toBe('running')
    expect(second.status).toBe('queued')
    const queued = (await engine.history(second.runId))[0]
    expect(queued).toMatchObject({ type: 'workflow.queued' })
    await engine.idle()
    slow.calls[0]!.resolve(1)
    await engine.wait(first.runId)
    await engine.idle()
    expect((await engine.getRun(second.runId))!.status).toBe('running')
    slow.calls[1]!.resolve(2)
    expect((await engine.wait(second.runId)).status).toBe('completed')
  })

  it('wait() times out with TIMEOUT on the injected clock', async () => {
    const slow = controllable()
    const { engine, clock } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const run = await engine.start('wf')
    const waiting = engine.wait(run.runId, { timeoutMs: 1000 })
    await engine.idle()
    clock.advance(1000)
    await expect(waiting).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it('refuses control calls that do not fit and changes nothing', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const run = await engine.start('wf')
    await engine.wait(run.runId)
    const before = await engine.history(run.runId)
    for (const call of [
      () => engine.pause(run.runId),
      () => engine.resume(run.runId),
      () => engine.cancel(run.runId),
      () => engine.retryTask(run.runId, 'a'),
      () => engine.skipTask(run.runId, 'a'),
      () => engine.signal(run.runId, 'go'),
    ]) {
      const error = await call().catch((e) => e)
      expect(error).toBeInstanceOf(InvalidStateError)
      expect(error.code).toBe('INVALID_STATE')
      expect(error.message).toMatch(/completed/)
    }
    await expect(engine.retryTask(run.runId, 'zzz')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(engine.signal(run.runId, '')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(await engine.history(run.runId)).toEqual(before)
    expect((await engine.getRun(run.runId))!.status).toBe('completed')
  })

  it('refuses every call after close() with ENGINE_CLOSED', async () => {
    const { engine } = testEngine()
    await engine.close()
    await expect(engine.register(def({ a: { action: 'noop' } }))).rejects.toMatchObject({
      code: 'ENGINE_CLOSED',
    })
    await expect(engine.start('wf')).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })
})
