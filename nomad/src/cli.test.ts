import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startNomadDouble, type NomadDouble } from '../../tests/doubles/nomad-api.double'
import { createNomadApi } from './api/nomad-api.client'
import { createNomadDriver } from './driver/nomad.driver'

let nomad: NomadDouble
beforeAll(async () => {
  nomad = await startNomadDouble({ token: 'ops-token', nodes: ['edge-1'] })
  const api = createNomadApi({ addr: nomad.addr, token: 'ops-token', region: 'global' })
  await createNomadDriver({ api, image: 'img', apiUrl: 'https://api', describeWorkspace: async () => ({ userId: 'u', plan: 'STARTER' }) }).ensureRunning('cli1', async () => 't')
})
afterAll(async () => {
  expect(nomad.violations).toEqual([])
  await nomad.stop()
})

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const entry = fileURLToPath(new URL('./cli.ts', import.meta.url))
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    )
  })
}

it('the pnpm nomad entry reads NOMAD_ADDR/NOMAD_TOKEN/NOMAD_REGION (or --addr) and sets the exit code', async () => {
  const listed = await run(['workspaces', 'list', '--json'], { NOMAD_ADDR: nomad.addr, NOMAD_TOKEN: 'ops-token', NOMAD_REGION: 'global' })
  expect(listed.code).toBe(0)
  expect(JSON.parse(listed.out)).toMatchObject([{ workspaceId: 'cli1', plan: 'STARTER', state: 'starting' }])
  const viaFlag = await run(['--addr', nomad.addr, 'nodes', 'list'], { NOMAD_TOKEN: 'ops-token' })
  expect(viaFlag).toMatchObject({ code: 0, out: expect.stringMatching(/edge-1\s+ready/) })
  const refused = await run(['workspaces', 'list'], { NOMAD_ADDR: nomad.addr, NOMAD_TOKEN: 'wrong' })
  expect(refused.code).toBe(1)
  expect(refused.err).toMatch(/403/)
  expect(refused.err).not.toContain('wrong')
}, 30_000)
