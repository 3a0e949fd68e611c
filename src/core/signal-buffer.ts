import type { BufferedSignal, RunState } from '../types'
import type { RunEvent } from './reducer/run-step'

/** How many signals nobody waits for a run keeps (DESIGN.md §3). */
export const MAX_BUFFERED_SIGNALS = 1000
/** How long a signal nobody waits for is kept (DESIGN.md §3). */
export const SIGNAL_TTL_MS = 24 * 60 * 60 * 1000

/*
 * Signals that came before any task waited for them. The run state keeps only their journal
 * position and time, oldest first per name; the payloads stay in their `signal.received`
 * entries (and in `RunData` while they wait), so a snapshot does not grow with them.
 * Each function changes the state in place (O(1) per signal, no copy of the buffer) and
 * journals what it drops through `record`. Time comes from the event, so a replay drops the same.
 */

type Recorder = (event: RunEvent) => void

/** Keeps the `signal.received` recorded at `seq`; drops the oldest signal when the run holds too many. */
export function bufferSignal(s: RunState, name: string, seq: number, at: number, record: Recorder): void {
  dropExpired(s, at, record)
  if (s.bufferedSignals >= MAX_BUFFERED_SIGNALS) {
    let oldest: string | undefined
    for (const key in s.signals) {
      if (oldest === undefined || s.signals[key]![0]!.seq < s.signals[oldest]![0]!.seq) oldest = key
    }
    if (oldest !== undefined) drop(s, oldest, 'limit', at, record)
  }
  const queue = s.signals[name]
  if (queue) queue.push({ seq, at })
  else s.signals[name] = [{ seq, at }]
  s.bufferedSignals += 1
}

/** Takes the oldest signal `name` still in time, dropping those older than 24 h; `undefined` if none. */
export function takeSignal(
  s: RunState,
  name: string,
  at: number,
  record: Recorder,
): BufferedSignal | undefined {
  dropExpired(s, at, record)
  const queue = s.signals[name]
  if (!queue) return undefined
  const taken = queue.shift()!
  if (queue.length === 0) delete s.signals[name]
  s.bufferedSignals -= 1
  return taken
}

/** Drops every buffered signal received `SIGNAL_TTL_MS` or longer before `at`. */
function dropExpired(s: RunState, at: number, record: Recorder): void {
  for (const name in s.signals) {
    while (s.signals[name] && s.signals[name][0]!.at + SIGNAL_TTL_MS <= at)
      drop(s, name, 'expired', at, record)
  }
}

function drop(s: RunState, name: string, reason: 'limit' | 'expired', at: number, record: Recorder): void {
  const queue = s.signals[name]!
  const { seq, at: receivedAt } = queue.shift()!
  if (queue.length === 0) delete s.signals[name]
  s.bufferedSignals -= 1
  record({ type: 'signal.dropped', name, signalSeq: seq, receivedAt, reason, at })
}
