import { workflowIdFrom } from '../definition/ids'
import { closeNames } from '../definition/param-rules'
import { validateInput } from '../definition/params'
import { ArgumentError, InputError, NotFoundError } from '../errors'
import type { TemplateInfo, WorkflowDefinition } from '../types'
import { approvalChain } from './approval-chain'
import { conditionalWorkflow } from './conditional-workflow'
import { dataPipeline } from './data-pipeline'
import { documentProcessing } from './document-processing'
import { knowledgeIngestion, processControl, troubleshooting } from './knowledge-pipelines'
import { notificationFlow } from './notification-flow'
import { parallelProcessing } from './parallel-processing'
import { sequentialPipeline } from './sequential-pipeline'
import type { Template } from './template'

const ALL: readonly Template[] = [
  documentProcessing,
  dataPipeline,
  notificationFlow,
  approvalChain,
  parallelProcessing,
  sequentialPipeline,
  conditionalWorkflow,
  processControl,
  troubleshooting,
  knowledgeIngestion,
]

/** How an instantiated definition is named: its id, version and display name. */
export interface InstantiateAs {
  id?: string
  version?: string
  name?: string
}

function infoOf(template: Template): TemplateInfo {
  const { id, name, description, tags, actions, params } = template
  return structuredClone({ id, name, description, tags: [...tags], actions: [...actions], params })
}

/** The built-in templates (copies: changing one changes no template). */
export function templateInfos(): TemplateInfo[] {
  return ALL.map(infoOf)
}

const AS_FIELDS = ['id', 'version', 'name']

/**
 * The definition a template makes from `params`, named by `as` (default: the template's id,
 * version 1.0.0, its name; an `as.name` without `as.id` gives the id made from the name). Throws
 * `NotFoundError` for an unknown template (with the closest ids), `InputError` listing every
 * problem of the params (unknown with a guess, missing, of a wrong type, outside the enum), and
 * `ArgumentError` for a bad `as`. The definition is not validated here: `register` does that.
 *
 * @example
 * templateDefinition('approval-chain', { level1_approver: 'alice', level2_approver: 'bob' })
 * // { schemaVersion: '2.0', id: 'approval-chain', version: '1.0.0', name: 'Approval chain', tasks: { approve: … } }
 */
export function templateDefinition(
  templateId: unknown,
  params: unknown,
  as: unknown = {},
): WorkflowDefinition {
  const template = ALL.find((t) => t.id === templateId)
  if (!template) {
    const close =
      typeof templateId === 'string'
        ? closeNames(
            templateId,
            ALL.map((t) => t.id),
          )
        : []
    const guess = close.length > 0 ? ` Did you mean "${close[0]}"?` : ''
    throw new NotFoundError(
      `No template ${JSON.stringify(templateId)}.${guess} The templates: ${ALL.map((t) => t.id).join(', ')}.`,
      { value: templateId },
    )
  }
  checkAs(as)
  const checked = validateInput(
    { schemaVersion: '2.0', id: template.id, version: '1.0.0', tasks: {}, params: template.params },
    params ?? {},
  )
  const subject = `params of template "${template.id}"`
  if (!checked.ok) throw new InputError(withGuesses(checked.issues, template), { subject, value: params })
  const problems = template.check?.(checked.value) ?? []
  if (problems.length > 0) throw new InputError(problems, { subject, value: params })
  const { id, version, name } = as as InstantiateAs
  return {
    schemaVersion: '2.0',
    id: id ?? (name === undefined ? template.id : workflowIdFrom(name)),
    version: version ?? '1.0.0',
    name: name ?? template.name,
    ...template.build(checked.value),
  }
}

function checkAs(as: unknown): void {
  const ok =
    typeof as === 'object' &&
    as !== null &&
    !Array.isArray(as) &&
    Object.entries(as).every(
      ([key, value]) => AS_FIELDS.includes(key) && (value === undefined || typeof value === 'string'),
    )
  if (!ok) {
    throw new ArgumentError(
      `instantiate: "as" is { id?, version?, name? } (strings) naming the definition; got ${JSON.stringify(as)}.`,
      { value: as },
    )
  }
}

/** `unknown_param` issues get the template's param a misspelt name most likely means. */
function withGuesses(issues: InputError['issues'], template: Template): InputError['issues'] {
  return issues.map((issue) => {
    if (issue.code !== 'unknown_param') return issue
    const close = closeNames(issue.path, Object.keys(template.params))
    const guess = close.length > 0 ? ` Did you mean "${close[0]}"?` : ''
    return {
      ...issue,
      message: `"${issue.path}" is not a param of template "${template.id}".${guess} Its params: ${Object.keys(template.params).join(', ')}.`,
    }
  })
}
