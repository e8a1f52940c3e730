import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { expect, it } from 'vitest'
import { referenceFile } from '../../../tests/reference/reference-file'

it('the generated Nomad API types are up to date with tests/reference/nomad-openapi.yaml', async () => {
  const spec = pathToFileURL(referenceFile('nomad-openapi.yaml'))
  const generated = astToString(await openapiTS(spec))
  const committed = readFileSync(new URL('./nomad-openapi.gen.ts', import.meta.url), 'utf8')
  // Regenerate with: pnpm --filter @2bot/nomad generate:api
  expect(committed.endsWith(generated)).toBe(true)
}, 30_000)
