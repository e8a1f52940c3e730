import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { runtimeEntry } from './process-driver'

const repo = mkdtempSync(join(tmpdir(), '2bot-runtime-entry-'))
afterAll(() => rmSync(repo, { recursive: true, force: true }))

it('runtimes start from the bundle when the API runs bundled and the bundle is there, from source through tsx otherwise', () => {
  const fromSource = { args: ['--import', 'tsx', join(repo, 'runtime', 'src', 'main.ts')], label: 'runtime/src/main.ts' }
  expect(runtimeEntry(repo, false)).toEqual(fromSource)

  mkdirSync(join(repo, 'runtime', 'dist'), { recursive: true })
  writeFileSync(join(repo, 'runtime', 'dist', 'runtime.mjs'), '')
  expect(runtimeEntry(repo, false)).toEqual({ args: [join(repo, 'runtime', 'dist', 'runtime.mjs')], label: 'runtime/dist/runtime.mjs' })
  // `pnpm dev` and the tests run the API from source: a bundle left from an earlier `pnpm start` could be stale.
  expect(runtimeEntry(repo, true)).toEqual(fromSource)
})
