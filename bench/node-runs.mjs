// @ts-check
/**
 * Runs the Node bundle of bench/node-core.ts (built by bench/build-bench.mjs) in a child
 * process: plain `node`, which imports `spindle` from dist/ through the package's exports.
 */
import { spawn } from 'node:child_process'
import { nodeEntry, root } from './build-bench.mjs'

/**
 * Runs `node node-core.mjs …args` and parses the JSON line it prints. Progress goes to stderr,
 * which passes through when `progress` is set.
 * @param {string[]} args
 * @param {{ progress?: boolean, cpuProfileDir?: string }} [options] `cpuProfileDir`: where the steady
 *   state of each runner and shape is profiled to
 * @returns {Promise<any>}
 */
export function runNode(args, options = {}) {
  const profile = options.cpuProfileDir ? ['--profileDir', options.cpuProfileDir] : []
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nodeEntry, ...args, ...profile], {
      cwd: root,
      stdio: ['ignore', 'pipe', options.progress ? 'inherit' : 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? ''
      try {
        const results = JSON.parse(line)
        if (code !== 0 && !results.error) results.error = `node exited with code ${code}`
        resolve(results)
      } catch {
        reject(
          new Error(`node ${args.join(' ')} exited with code ${code} and no results: ${stderr || stdout}`),
        )
      }
    })
  })
}
