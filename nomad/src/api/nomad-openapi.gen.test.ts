import { readFileSync } from 'node:fs'
import openapiTS, { astToString } from 'openapi-typescript'
import { expect, it } from 'vitest'

it('the generated Nomad API types are up to date with shared/reference/nomad-openapi.yaml', async () => {
  const spec = new URL('../../../../shared/reference/nomad-openapi.yaml', import.meta.url)
  const generated = astToString(await openapiTS(spec))
  const committed = readFileSync(new URL('./nomad-openapi.gen.ts', import.meta.url), 'utf8')
  // Regenerate with: pnpm --filter @2bot/nomad generate:api
  expect(committed.endsWith(generated)).toBe(true)
}, 30_000)
