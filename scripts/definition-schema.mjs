/**
 * Writes `dist/schema.json` (the package's `spindle/schema.json`) from the built module's
 * `definitionSchema`, so the file and the export are one schema. Run by `npm run build`.
 */

import { writeFile } from 'node:fs/promises'

const { definitionSchema } = await import(new URL('../dist/spindle.js', import.meta.url).href)
await writeFile(
  new URL('../dist/schema.json', import.meta.url),
  `${JSON.stringify(definitionSchema, null, 2)}\n`,
)
console.log('dist/schema.json written')
