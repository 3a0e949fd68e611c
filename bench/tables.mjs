// @ts-check
/**
 * The tables `bench/run.mjs` prints, one per benchmark page, from the page's `__benchResults`.
 */

/**
 * Three significant figures (all the integer digits of larger values), or a dash when there is no value.
 * @param {number | undefined} value
 */
export function figure(value) {
  if (value === undefined || !Number.isFinite(value)) return '—'
  const magnitude = Math.floor(Math.log10(Math.abs(value) || 1))
  return value.toFixed(Math.max(0, 2 - magnitude))
}

/**
 * Prints rows as a table: the first row is the header, the first column left-aligned.
 * @param {string[][]} rows
 */
export function printRows(rows) {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? []
  for (const [index, row] of rows.entries()) {
    console.log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    )
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
}

/**
 * @param {{ value: number, target: number, met: boolean } | undefined} targeted
 * @param {string} unit
 */
function verdict(targeted, unit) {
  if (!targeted) return ['—', '—', '—']
  return [figure(targeted.value), `≤ ${figure(targeted.target)}${unit}`, targeted.met ? 'met' : 'MISSED']
}

/**
 * The warm-up run of a durable figure, divided by `per` (steps, tasks, runs): its time, the store
 * calls and the time they were in flight, and the records committed.
 * @param {{ warmUpMs: number, store?: { calls: Record<string, number>, ms: Record<string, number>,
 *           written: Record<string, number> } }} figures
 * @param {number} per
 * @param {string} unit what `per` counts
 */
function warmUp(figures, per, unit) {
  const use = figures.store
  if (!use) return `  warm-up: ${figure(figures.warmUpMs / per)} ms per ${unit}`
  const calls = Object.entries(use.calls)
    .sort((a, b) => (use.ms[b[0]] ?? 0) - (use.ms[a[0]] ?? 0))
    .map(([method, n]) => `${method} ×${figure(n / per)} ${figure((use.ms[method] ?? 0) / per)} ms`)
    .join(', ')
  const written = Object.entries(use.written)
    .map(([what, n]) => `${figure(n / per)} ${what}`)
    .join(', ')
  return [
    `  warm-up run, per ${unit}: ${figure(figures.warmUpMs / per)} ms`,
    `    store calls and time in flight: ${calls}`,
    `    committed: ${written}`,
  ].join('\n')
}

/** @param {any} results the worker page's results (bench/worker.bench.ts) */
export function printWorker(results) {
  const trip = results.roundTrip
  if (trip) {
    console.log(
      `round trip (getRun of an unknown run): worker ${figure(trip.workerMedianUs)} µs median, ${figure(trip.workerP95Us)} µs p95; same call on the page ${figure(trip.pageMedianUs)} µs`,
    )
    console.log('')
  }
  const size = results.settings.size
  const rows = [
    [
      `fan-out-${size} in the worker`,
      'in-worker ms',
      'delivered ms',
      'delivered/in-worker',
      'target',
      '',
      'events/s',
      'events/message',
    ],
  ]
  for (const f of results.fanOut) {
    const ratio = f.medianRatio
    rows.push([
      f.variant,
      figure(f.medianInWorkerMs),
      figure(f.medianDeliveredMs),
      figure(ratio),
      ratio === undefined ? '' : '≤ 1.5',
      ratio === undefined ? '' : ratio <= 1.5 ? 'met' : 'MISSED',
      figure(f.medianEventsPerSecond),
      figure(f.medianEventsPerMessage),
    ])
  }
  printRows(rows)
  console.log(`settings: ${JSON.stringify(results.settings)} (medians of ${results.settings.reps} runs)`)
}

/** @param {any} results the durable page's results (bench/durable.bench.ts) */
export function printDurable(results) {
  const { bareCommit: bare, chain, fanOut, recovery, settings } = results
  const rows = [['figure', 'value', 'target', '', 'reps']]
  if (bare) {
    rows.push(['bare IndexedDB commit, strict (ms)', figure(bare.medianMs), '', '', String(bare.count)])
  }
  if (chain) {
    rows.push([
      `chain-${chain.tasks}: ms per step`,
      figure(chain.msPerStep),
      '',
      '',
      String(chain.samplesMs.length),
    ])
    rows.push([`chain-${chain.tasks}: step / bare commit (×)`, ...verdict(chain.ratio, '×'), ''])
  }
  if (fanOut) {
    rows.push([
      `fan-out-${fanOut.tasks}: ms per task`,
      ...verdict(fanOut.msPerTask, ''),
      String(fanOut.samplesMs.length),
    ])
  }
  if (recovery) {
    rows.push([
      `recover() of ${recovery.runs} parked runs (ms)`,
      ...verdict(recovery.recoverMs, ''),
      String(recovery.samplesMs.length),
    ])
  }
  printRows(rows)
  console.log('')
  if (bare) {
    console.log(
      `bare commit: p95 ${figure(bare.p95Ms)} ms, fastest ${figure(bare.minMs)} ms, block medians ${bare.blockMediansMs.map(figure).join(' · ')} ms`,
    )
  }
  if (chain) {
    console.log(`chain run times (ms): ${chain.samplesMs.map(figure).join(' · ')}`)
    console.log(warmUp(chain, chain.tasks, 'step'))
    console.log(
      `  the warm-up's ${chain.replayedCommits} commits replayed on indexedDbStore alone (no engine): ${figure(chain.replayedCommitMs)} ms median, ${figure(chain.replayedCommitMs / (bare?.medianMs ?? Number.NaN))}× the bare commit`,
    )
  }
  if (fanOut) {
    console.log(`fan-out run times (ms): ${fanOut.samplesMs.map(figure).join(' · ')}`)
    console.log(warmUp(fanOut, fanOut.tasks, 'task'))
    const bulk = fanOut.bulkWrite
    console.log(
      `  bare transaction of ${bulk.entries} journal-like entries: ${figure(bulk.separatePutsMs)} ms as one put each (${figure(bulk.issuingMs)} ms issuing them), ${figure(bulk.onePutMs)} ms as one record`,
    )
  }
  if (recovery) {
    console.log(
      `recovery times (ms): ${recovery.samplesMs.map(figure).join(' · ')}; parking the runs took ${recovery.fillMs.map(figure).join(' · ')} ms`,
    )
    console.log(warmUp(recovery, recovery.runs, 'recovered run'))
  }
  console.log(`settings: ${JSON.stringify(settings)}`)
}
