import { definitionDigest } from '../definition/definition-digest'
import { InvalidStateError } from '../errors'
import type { RunRecord } from '../store/store'
import type { CompiledWorkflow } from '../types'

/**
 * The run's definition, if it is the content the run started on. Other content stored under the
 * run's version (written to the store directly) would replay the journal against other tasks and
 * silently make it another run: the run is refused instead and stays as stored.
 */
export function checkRunDefinition(
  record: Pick<RunRecord, 'runId' | 'definitionId' | 'version' | 'definitionDigest'>,
  wf: CompiledWorkflow,
): CompiledWorkflow {
  const expected = record.definitionDigest
  if (expected === undefined) return wf
  const found = definitionDigest(wf.definition)
  if (found === expected) return wf
  throw new InvalidStateError(
    `Run "${record.runId}" started on "${record.definitionId}"@${record.version} with content digest ${expected}, but that version is now stored with other content (digest ${found}); the run is left as stored and no engine runs it or reads it until the content it started on is back under that version in the store.`,
    {
      value: {
        runId: record.runId,
        definitionId: record.definitionId,
        version: record.version,
        expected,
        found,
      },
    },
  )
}
