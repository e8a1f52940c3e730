/**
 * `pnpm reference:check`: says when a vendored reference file is out of date with its original.
 *
 * The originals live in `../shared/reference` next to the maintainers' main checkout (found from a
 * git worktree too, through git's common directory), or in REFERENCE_ORIGIN_DIR when that is set.
 * Where there are none (a user's clone) it says so and passes: the copies in this folder are then
 * all there is, and `pnpm test` checks them against manifest.json. This script is the one place in
 * the repository that reads `../shared`, and only when someone runs it; no build or test does.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Entry {
  sha256: string
  copiedFrom: string
}

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')
const manifest = JSON.parse(readFileSync(resolve(here, 'manifest.json'), 'utf8')) as { files: Record<string, Entry> }
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/** The checkouts `copiedFrom` may be relative to: this one, then the main one if this is a worktree. */
function checkouts(): string[] {
  const roots = [repoRoot]
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8' }).trim()
    if (basename(common) === '.git') roots.push(dirname(common))
  } catch {
    // Not a git checkout (an unpacked archive): only this folder counts.
  }
  return roots
}

/** Where each original is, or null when there are no originals next to this checkout. */
function originals(): { dir: string; of: (name: string, entry: Entry) => string } | null {
  const override = process.env.REFERENCE_ORIGIN_DIR
  if (override) return existsSync(override) ? { dir: override, of: (name) => resolve(override, name) } : null
  const [first] = Object.values(manifest.files)
  for (const root of checkouts()) {
    const dir = dirname(resolve(root, first!.copiedFrom))
    if (existsSync(dir)) return { dir, of: (_, entry) => resolve(root, entry.copiedFrom) }
  }
  return null
}

const found = originals()
if (!found) {
  console.log('reference:check: no ../shared/reference next to this checkout (a user\'s clone): nothing to compare against; the vendored copies in tests/reference are checked by pnpm test.')
  process.exit(0)
}

const problems: string[] = []
for (const [name, entry] of Object.entries(manifest.files)) {
  const original = found.of(name, entry)
  const copy = resolve(here, name)
  if (!existsSync(original)) problems.push(`${name}: the original ${original} is gone`)
  else if (sha256(original) !== entry.sha256) problems.push(`${name}: stale, the original ${original} changed (sha256 ${sha256(original)}, manifest ${entry.sha256})`)
  if (!existsSync(copy)) problems.push(`${name}: the vendored copy is missing`)
  else if (sha256(copy) !== entry.sha256) problems.push(`${name}: the vendored copy does not match manifest.json (edited by hand?)`)
}
const notVendored = readdirSync(found.dir).filter((f) => f !== 'README.md' && !(f in manifest.files))

if (problems.length) {
  console.error(`reference:check: ${problems.length} problem(s) against ${found.dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  console.error('Refresh a stale copy: copy the original into tests/reference, put its new sha256 in manifest.json, and run the tests that use it.')
  process.exit(1)
}
console.log(`reference:check: ${Object.keys(manifest.files).length} vendored file(s) match ${found.dir}.`)
if (notVendored.length) console.log(`Not vendored (no test reads them): ${notVendored.join(', ')}.`)
