import { ArgumentError } from '../errors'
import { checkOptions } from '../store/store-arguments'
import type { ModelSpec } from '../types'

const SPEC_FIELDS = {
  id: true,
  provider: true,
  baseUrl: true,
  model: true,
  apiKey: true,
  contextWindow: true,
  capabilities: true,
  onDevice: true,
  costPer1M: true,
} as const satisfies Record<keyof ModelSpec, true>
const PROVIDERS = ['openai-compatible', 'chrome-built-in']
/** A secret's name: what `apiKey` holds. Keys themselves are longer or carry other characters. */
const SECRET_NAME = /^[A-Za-z][\w.:-]{0,63}$/
/** How API keys begin (OpenAI, Anthropic, Groq, …): such a value is a key, not a secret's name. */
const KEY_PREFIX = /^(sk-|sk_|gsk_|xai-|Bearer\s)/i

/**
 * `EngineOptions.models`: a list of model specs with unique ids, a known provider, an absolute
 * http(s) `baseUrl` ending in `/v1` for OpenAI-compatible models (none for Chrome's built-in
 * model), and an `apiKey` that names a secret. An `apiKey` that looks like a key, or equals a
 * secret's value, is refused without being echoed: keys belong in `secrets`.
 */
export function checkModels(models: unknown, secrets: Record<string, string> | undefined): void {
  if (models === undefined) return
  if (!Array.isArray(models)) {
    throw new ArgumentError(
      `createEngine: "models" must be a list of model specs; got ${describe(models)}.`,
      {
        value: models,
      },
    )
  }
  const ids = new Set<string>()
  for (const [index, spec] of models.entries()) {
    const at = `createEngine: models[${index}]`
    checkOptions(at, spec, SPEC_FIELDS)
    if (spec === undefined) throw new ArgumentError(`${at} must be a model spec object; got undefined.`)
    const { id, provider, baseUrl, model, apiKey } = spec as ModelSpec
    if (typeof id !== 'string' || id === '' || id.length > 200) {
      throw new ArgumentError(`${at}.id must be a non-empty string (what tasks name); got ${describe(id)}.`, {
        value: id,
      })
    }
    if (id === 'auto')
      throw new ArgumentError(`${at}.id cannot be "auto": params.model "auto" picks a model.`, { value: id })
    if (ids.has(id))
      throw new ArgumentError(`${at}.id ${describe(id)} is used twice; ids must be unique.`, { value: id })
    ids.add(id)
    if (!PROVIDERS.includes(provider)) {
      throw new ArgumentError(
        `${at}.provider must be "openai-compatible" or "chrome-built-in"; got ${describe(provider)}.`,
        {
          value: provider,
        },
      )
    }
    if (provider === 'openai-compatible') checkBaseUrl(at, baseUrl)
    else if (baseUrl !== undefined) {
      throw new ArgumentError(`${at}: Chrome's built-in model takes no baseUrl; got ${describe(baseUrl)}.`, {
        value: baseUrl,
      })
    }
    if (model !== undefined && (typeof model !== 'string' || model === '')) {
      throw new ArgumentError(`${at}.model must be the provider's model name; got ${describe(model)}.`, {
        value: model,
      })
    }
    if (apiKey !== undefined) checkApiKey(at, apiKey, secrets)
    checkNumbers(at, spec as ModelSpec)
  }
}

function checkBaseUrl(at: string, baseUrl: unknown): void {
  let url: URL | undefined
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined
  } catch {
    url = undefined
  }
  const ok =
    url !== undefined &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    url.pathname.replace(/\/$/, '').endsWith('/v1')
  if (!ok) {
    // A password or a query may hold a key: such a URL is described, not quoted.
    const hidden =
      url && (url.username !== '' || url.password !== '' || url.search !== '') ? url.origin : undefined
    throw new ArgumentError(
      `${at}.baseUrl must be an absolute http(s) URL up to and including /v1, like "http://localhost:11434/v1" or "https://api.openai.com/v1", with no query or credentials; got ${hidden ? `a URL of ${hidden} with a query or credentials (not shown)` : describe(baseUrl)}.`,
      { value: hidden ? undefined : baseUrl },
    )
  }
}

function checkApiKey(at: string, apiKey: unknown, secrets: Record<string, string> | undefined): void {
  const isValue =
    typeof apiKey === 'string' &&
    (KEY_PREFIX.test(apiKey) || Object.values(secrets ?? {}).some((value) => value === apiKey))
  if (isValue) {
    throw new ArgumentError(
      `${at}.apiKey holds a key, not the name of a secret: put the key in EngineOptions.secrets (or setSecret) and write its name here, like apiKey: "openai".`,
    )
  }
  if (typeof apiKey !== 'string' || !SECRET_NAME.test(apiKey)) {
    throw new ArgumentError(
      `${at}.apiKey must be the name of a secret (a letter, then up to 63 letters, digits or _.:-), like "openai"; got ${typeof apiKey === 'string' ? `a string of ${apiKey.length} characters` : describe(apiKey)}.`,
    )
  }
}

function checkNumbers(at: string, spec: ModelSpec): void {
  const { contextWindow, capabilities, onDevice, costPer1M } = spec
  if (contextWindow !== undefined && !(Number.isInteger(contextWindow) && contextWindow > 0)) {
    throw new ArgumentError(
      `${at}.contextWindow must be a whole number of tokens > 0; got ${describe(contextWindow)}.`,
      {
        value: contextWindow,
      },
    )
  }
  if (onDevice !== undefined && typeof onDevice !== 'boolean') {
    throw new ArgumentError(`${at}.onDevice must be true or false; got ${describe(onDevice)}.`, {
      value: onDevice,
    })
  }
  const flags = ['structuredOutput', 'streaming', 'tools']
  if (
    capabilities !== undefined &&
    (typeof capabilities !== 'object' ||
      capabilities === null ||
      Object.entries(capabilities).some(([key, value]) => !flags.includes(key) || typeof value !== 'boolean'))
  ) {
    throw new ArgumentError(
      `${at}.capabilities must be { structuredOutput?, streaming?, tools? } of booleans; got ${describe(capabilities)}.`,
      {
        value: capabilities,
      },
    )
  }
  const price = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0
  if (
    costPer1M !== undefined &&
    !(
      typeof costPer1M === 'object' &&
      costPer1M !== null &&
      price(costPer1M.input) &&
      price(costPer1M.output)
    )
  ) {
    throw new ArgumentError(
      `${at}.costPer1M must be { input, output }, prices ≥ 0 per million tokens; got ${describe(costPer1M)}.`,
      {
        value: costPer1M,
      },
    )
  }
}

/** A short description of a bad value (never throws, never dumps a large object). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
