import { afterEach, beforeEach, expect, inject } from 'vitest'
import type { BuiltinContext, BuiltinModels, OnDeviceModel } from '../../src/actions/builtin-context'
import { TaskError } from '../../src/errors'
import { SecretVault } from '../../src/host/secret-vault'
import type { ModelSpec } from '../../src/types'
import type { AiLogEntry } from '../server/ai-routes'
import { handContext } from './builtin-context'

/**
 * A fresh token of the fake OpenAI-compatible server (test/server/ai-routes.ts), its `baseUrl`
 * and a reader of what it was sent: each test's counters and log are its own.
 */
export function fakeServer() {
  const token = crypto.randomUUID()
  const baseUrl = `${inject('testServer')}/ai/${token}/v1`
  return {
    baseUrl,
    /** An OpenAI-compatible model of the fake server whose behaviour is its provider name `model`. */
    model(id: string, model: string, more: Partial<ModelSpec> = {}): ModelSpec {
      return { id, provider: 'openai-compatible', baseUrl, model, ...more }
    },
    async log(): Promise<AiLogEntry[]> {
      return (await fetch(`${inject('testServer')}/ai/${token}/log`)).json()
    },
  }
}

/**
 * A scripted stand-in for Chrome's `LanguageModel` global, with the real API's shape
 * (availability(), create({ initialPrompts, temperature, topK, signal }), session.prompt,
 * promptStreaming, destroy): it answers `answer(prompt, initialPrompts, responseConstraint)`.
 */
export function fakeLanguageModel(
  answer: (input: string, initial: { role: string; content: string }[], constraint?: object) => string,
  availability = 'available',
) {
  const seen: {
    input: string
    initialPrompts: unknown[]
    responseConstraint?: object
    destroyed: boolean
  }[] = []
  const api = {
    availability: async () => availability,
    create: async (options: {
      initialPrompts?: { role: string; content: string }[]
      signal?: AbortSignal
    }) => {
      options.signal?.throwIfAborted()
      const initial = options.initialPrompts ?? []
      const record = { input: '', initialPrompts: initial, destroyed: false } as (typeof seen)[number]
      return {
        prompt: async (input: string, o: { responseConstraint?: object; signal?: AbortSignal } = {}) => {
          o.signal?.throwIfAborted()
          Object.assign(record, { input, responseConstraint: o.responseConstraint })
          seen.push(record)
          return answer(input, initial, o.responseConstraint)
        },
        promptStreaming: (input: string, o: { responseConstraint?: object } = {}) => {
          Object.assign(record, { input, responseConstraint: o.responseConstraint })
          seen.push(record)
          const words = answer(input, initial, o.responseConstraint).match(/\S+\s*/g) ?? []
          return new ReadableStream<string>({
            start(controller) {
              for (const word of words) controller.enqueue(word)
              controller.close()
            },
          })
        },
        destroy: () => {
          record.destroyed = true
        },
      }
    },
  }
  return { api, seen }
}

/** An OnDeviceModel that is never there, for contexts made by hand. */
export const NO_ON_DEVICE: () => Promise<OnDeviceModel | { unavailable: string }> = async () => ({
  unavailable: 'no page offers it in this test',
})

/**
 * The page's `LanguageModel` global for the tests of a describe block: none at the start of each
 * test (Chromium may have the real API, with no model downloaded), `set(api)` installs a fake,
 * and whatever the page had comes back after each test.
 */
export function languageModelSlot() {
  const scope = globalThis as { LanguageModel?: unknown }
  const original = Object.getOwnPropertyDescriptor(globalThis, 'LanguageModel')
  beforeEach(() => {
    delete scope.LanguageModel
  })
  afterEach(() => {
    delete scope.LanguageModel
    if (original !== undefined) Object.defineProperty(globalThis, 'LanguageModel', original)
  })
  return {
    set(api: unknown) {
      scope.LanguageModel = api
    },
  }
}

/** The API key the `openai` secret holds in contexts made by {@link aiContext}. */
export const AI_KEY = 'sk-test-0123456789abcdef'

/** A built-in context with the models `specs` (no on-device model) and the secret `openai`. */
export function aiContext(specs: ModelSpec[], more: Partial<BuiltinContext> = {}): BuiltinContext {
  const models: BuiltinModels = { specs, onDevice: NO_ON_DEVICE }
  return handContext({ models, secrets: new SecretVault({ openai: AI_KEY }), ...more })
}

/** The `TaskError` `promise` rejects with (the test fails when it resolves or rejects otherwise). */
export async function taskFailure(promise: Promise<unknown>): Promise<TaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TaskError)
  return error as TaskError
}
