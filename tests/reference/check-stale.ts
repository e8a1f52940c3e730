/**
 * `pnpm reference:check`: says when a vendored reference file is out of date with its original.
 *
 * The originals are in the folder REFERENCE_ORIGIN_DIR names, under the same file names (the
 * maintainers keep them outside the repository). Without it, or where that folder does not exist
 * (a user's clone), it says so and passes: the copies in this folder are then all there is, and
 * `pnpm test` checks them against manifest.json. No build or test reads anything outside the repository.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const manifest = JSON.parse(readFileSync(resolve(here, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> }
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

const originDir = process.env.REFERENCE_ORIGIN_DIR
if (!originDir || !existsSync(originDir)) {
  console.log(`reference:check: ${originDir ? `no folder ${originDir}` : 'REFERENCE_ORIGIN_DIR is not set'}: nothing to compare against; the vendored copies in tests/reference are checked by pnpm test.`)
  process.exit(0)
}

const problems: string[] = []
for (const [name, entry] of Object.entries(manifest.files)) {
  const original = resolve(originDir, name)
  const copy = resolve(here, name)
  if (!existsSync(original)) problems.push(`${name}: the original ${original} is gone`)
  else if (sha256(original) !== entry.sha256) problems.push(`${name}: stale, the original ${original} changed (sha256 ${sha256(original)}, manifest ${entry.sha256})`)
  if (!existsSync(copy)) problems.push(`${name}: the vendored copy is missing`)
  else if (sha256(copy) !== entry.sha256) problems.push(`${name}: the vendored copy does not match manifest.json (edited by hand?)`)
}
const notVendored = readdirSync(originDir).filter((f) => f !== 'README.md' && !(f in manifest.files))

if (problems.length) {
  console.error(`reference:check: ${problems.length} problem(s) against ${originDir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  console.error('Refresh a stale copy: copy the original into tests/reference, put its new sha256 in manifest.json, and run the tests that use it.')
  process.exit(1)
}
console.log(`reference:check: ${Object.keys(manifest.files).length} vendored file(s) match ${originDir}.`)
if (notVendored.length) console.log(`Not vendored (no test reads them): ${notVendored.join(', ')}.`)
