import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

/** The promise of "workflows are data": nothing in the runtime evaluates strings as host code. */
const SRC = fileURLToPath(new URL('.', import.meta.url))
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') && !n.endsWith('.test.ts') ? [join(dir, n)] : []))

it('has no eval, new Function or node:vm in the runtime source', () => {
  const offenders = files(SRC).filter((f) => /\beval\s*\(|new\s+Function\s*\(|from\s+['"](node:)?vm['"]|require\(['"](node:)?vm['"]\)/.test(readFileSync(f, 'utf8')))
  expect(offenders).toEqual([])
})
