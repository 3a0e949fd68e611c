import { describe, expect, it } from 'vitest'
import { controllable, testEngines } from '../support/engine-fixtures'

const testEngine = testEngines()

/**
 * The "Complex Multi-Agent Workflow" of the seeds' orchestration document (003), less the
 * per-task `execution_mode`, which the migration refuses (it knows the workflow-level one).
 */
const multiAgent = {
  name: 'Multi-Agent Processing',
  version: '2.0.0',
  tasks: {
    preprocessing: {
      name: 'Preprocess Data',
      agent_id: 'data_agent',
      action: 'agent_task',
    },
    analysis_1: {
      name: 'Analysis Path 1',
      agent_id: 'analyst_1',
      action: 'agent_task',
      dependencies: ['preprocessing'],
    },
    analysis_2: {
      name: 'Analysis Path 2',
      agent_id: 'analyst_2',
      action: 'agent_task',
      dependencies: ['preprocessing'],
    },
    synthesis: {
      name: 'Synthesize Results',
      agent_id: 'synthesizer',
      action: 'agent_task',
      dependencies: ['analysis_1', 'analysis_2'],
    },
  },
}

/** Which agents are at work now, as `<agent>@<run>`. */
function atWork(agent: ReturnType<typeof controllable>, settled: Set<number>, runs: string[]) {
  return agent.calls
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => !settled.has(i))
    .map(({ c }) => `${c.params.agent}@${runs.indexOf(c.ctx.runId)}`)
    .sort()
}

describe('limits: agents of migrated agent_task definitions', () => {
  it('limits `agent_task:<agent>` per agent across runs; other agents run free', async () => {
    const agent = controllable()
    const { engine } = testEngine({
      actions: { agent_task: agent.handler },
      limits: { 'agent_task:analyst_1': { concurrency: 1 } },
    })
    const info = await engine.register(multiAgent)
    const runs = [(await engine.start(info.id)).runId, (await engine.start(info.id)).runId]
    await engine.idle()
    const settled = new Set<number>()
    const finish = async (label: string) => {
      const i = agent.calls.findIndex(
        (c, j) => !settled.has(j) && `${c.params.agent}@${runs.indexOf(c.ctx.runId)}` === label,
      )
      settled.add(i)
      agent.calls[i]!.resolve(label)
      await engine.idle()
    }
    expect(atWork(agent, settled, runs)).toEqual(['data_agent@0', 'data_agent@1'])
    await finish('data_agent@0')
    await finish('data_agent@1')
    // One analyst_1 at a time over both runs; analyst_2 has no limit.
    expect(atWork(agent, settled, runs)).toEqual(['analyst_1@0', 'analyst_2@0', 'analyst_2@1'])
    expect((await engine.getRun(runs[1]!))!.tasks.analysis_1!.status).toBe('pending')
    await finish('analyst_1@0')
    expect(atWork(agent, settled, runs)).toEqual(['analyst_1@1', 'analyst_2@0', 'analyst_2@1'])
    for (const label of ['analyst_2@0', 'analyst_2@1', 'analyst_1@1', 'synthesizer@0', 'synthesizer@1'])
      await finish(label)
    for (const runId of runs) expect((await engine.wait(runId)).status).toBe('completed')
  })

  it('a limit on `agent_task` itself holds every agent without a limit of its own', async () => {
    const agent = controllable()
    const { engine } = testEngine({
      actions: { agent_task: agent.handler },
      limits: { agent_task: { concurrency: 1 }, 'agent_task:analyst_2': { concurrency: 2 } },
    })
    const info = await engine.register(multiAgent)
    const runs = [(await engine.start(info.id)).runId, (await engine.start(info.id)).runId]
    await engine.idle()
    const settled = new Set<number>()
    expect(atWork(agent, settled, runs)).toEqual(['data_agent@0'])
    settled.add(0)
    agent.calls[0]!.resolve()
    await engine.idle()
    // analysis_1 of run 0 waits behind data_agent of run 1; analyst_2 has its own limit.
    expect(atWork(agent, settled, runs)).toEqual(['analyst_2@0', 'data_agent@1'])
  })
})
