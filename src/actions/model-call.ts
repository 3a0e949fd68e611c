import type { ChatMessage } from './ai-params'

/** Tokens an answer took, as the provider counted them (absent when it does not say). */
export interface AiUsage {
  inputTokens?: number
  outputTokens?: number
}

/** One model's answer to one request. */
export interface ModelAnswer {
  text: string
  usage: AiUsage
  /** 'stop', 'length', … as the provider says. */
  finishReason: string
}

/** One request to one model. */
export interface ModelCall {
  messages: ChatMessage[]
  /** Constrain the answer to this JSON Schema (when the model can). */
  schema?: object
  strict: boolean
  temperature?: number
  maxOutputTokens?: number
  /** Streaming: gets the answer's text so far, as it grows. */
  onText?: (text: string) => void
  /** Aborted when the task is cancelled or the model's time is up. */
  signal: AbortSignal
  /** The engine's time, for `Retry-After` dates. */
  now: number
}
