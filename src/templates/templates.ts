import { deepFreeze } from '../boundary'
import type { TemplateInfo } from '../types'
import { templateInfos } from './catalog'

/**
 * The built-in templates (frozen): document processing, data pipeline, notification flow,
 * approval chain, parallel processing, sequential pipeline, conditional workflow, process
 * control, troubleshooting, knowledge ingestion. Instantiate one with `engine.instantiate(id, params)`.
 */
export const templates: readonly TemplateInfo[] = /* @__PURE__ */ deepFreeze(templateInfos())
