import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startNomadDouble, type NomadDouble } from '../../../tests/doubles/nomad-api.double'
import { createNomadApi, type NomadApi } from '../api/nomad-api.client'
import { createNomadDriver, type WorkspaceOwner } from '../driver/nomad.driver'
import { runCli } from './commands'
import { parseDuration } from './table'

let nomad: NomadDouble
let api: NomadApi
const owners: Record<string, WorkspaceOwner> = { alpha: { userId: 'u1', plan: 'PRO' }, beta: { organizationId: 'o1', plan: 'ORG_STARTER' } }

beforeAll(async () => {
  nomad = await startNomadDouble({ token: 'ops' })
  api = createNomadApi({ addr: nomad.addr, token: 'ops' })
  const driver = createNomadDriver({ api, image: 'img:1', apiUrl: 'https://api', describeWorkspace: async (id) => owners[id]! })
  await driver.ensureRunning('alpha', async () => 'tok-a')
  await driver.ensureRunning('beta', async () => 'tok-b')
  nomad.settle()
  await driver.sleep('beta')
})
afterEach(() => {
  expect(nomad.violations.splice(0)).toEqual([])
})
afterAll(async () => {
  await nomad.stop()
})

async function cli(...argv: string[]) {
  let out = ''
  let err = ''
  const code = await runCli(argv, api, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

describe('pnpm nomad (operator CLI) against the Nomad API double', () => {
  it('workspaces list: a table and --json', async () => {
    const { code, out } = await cli('workspaces', 'list')
    expect(code).toBe(0)
    const lines = out.trim().split('\n')
    expect(lines[0]).toMatch(/^WORKSPACE\s+PLAN\s+STATE\s+DESIRED\s+RUNNING\s+HEALTH\s+NODES$/)
    expect(lines.find((l) => l.startsWith('alpha'))).toMatch(/alpha\s+PRO\s+running\s+1\s+1\/1\s+healthy/)
    expect(lines.find((l) => l.startsWith('beta'))).toMatch(/beta\s+ORG_STARTER\s+asleep\s+0\s+0\/0\s+-/)
    const json = JSON.parse((await cli('workspaces', 'list', '--json')).out) as { workspaceId: string; state: string }[]
    expect(json.map((w) => [w.workspaceId, w.state]).sort()).toEqual([['alpha', 'running'], ['beta', 'asleep']])
  })

  it('workspaces inspect: job, plan, owner and allocations; unknown ids exit 1', async () => {
    const { code, out } = await cli('workspaces', 'inspect', 'alpha')
    expect(code).toBe(0)
    expect(out).toContain('State         running, desired 1')
    expect(out).toContain('Plan          PRO  user u1')
    expect(out).toContain('2048 MB, 4000 MHz, disk 5120 MB')
    expect(out).toMatch(/ALLOCATION\s+NODE/)
    expect(out).not.toContain('tok-a')
    const missing = await cli('workspaces', 'inspect', 'nope')
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('No Nomad job workspace-nope') })
  })

  it('workspaces plan / usage: plan limits beside what Nomad allocated', async () => {
    const { code, out } = await cli('workspaces', 'plan', 'alpha')
    expect(code).toBe(0)
    expect(out).toMatch(/plan PRO\s+2048\s+4000\s+2\s+5120/)
    expect(out).toMatch(/allocated by Nomad\s+2048\s+4000\s+5120/)
    const json = JSON.parse((await cli('workspaces', 'usage', 'beta', '--json')).out) as Record<string, unknown>
    expect(json).toMatchObject({ plan: 'ORG_STARTER', matchesPlan: true, runningAllocations: 0, allocated: { memoryMb: 4096, cpuMhz: 4000 } })
  })

  it('workspaces reschedule: stops the allocation and Nomad places a replacement', async () => {
    const before = nomad.state.allocations.find((a) => a.JobID === 'workspace-alpha' && a.DesiredStatus === 'run')!
    const { code, out } = await cli('workspaces', 'reschedule', 'alpha')
    expect(code).toBe(0)
    expect(out).toContain('Stopped 1 allocation(s) of workspace-alpha')
    const after = nomad.state.allocations.filter((a) => a.JobID === 'workspace-alpha' && a.DesiredStatus === 'run')
    expect(after).toHaveLength(1)
    expect(after[0]!.ID).not.toBe(before.ID)
    expect(after[0]!.NodeID).not.toBe(before.NodeID)
    expect((await cli('workspaces', 'reschedule', 'beta')).code).toBe(1)
  })

  it('nodes list and nodes drain: allocations move to the other node', async () => {
    nomad.settle()
    const alloc = nomad.state.allocations.find((a) => a.JobID === 'workspace-alpha' && a.DesiredStatus === 'run')!
    const list = await cli('nodes', 'list')
    expect(list.out).toMatch(/^NODE\s+NAME\s+STATUS\s+ELIGIBILITY\s+DRAIN\s+ALLOCS/)
    const { code, out } = await cli('nodes', 'drain', alloc.NodeID, '--deadline', '30m', '--reason', 'kernel upgrade')
    expect(code).toBe(0)
    expect(out).toContain('is draining (deadline 30m)')
    const drainCall = nomad.calls.filter((c) => c.operationId === 'UpdateNodeDrain').at(-1)!
    expect(drainCall.body).toMatchObject({ DrainSpec: { Deadline: 30 * 60 * 1e9 }, Meta: { message: 'kernel upgrade' } })
    expect(JSON.parse((await cli('nodes', 'list', '--json')).out).find((n: { ID: string }) => n.ID === alloc.NodeID)).toMatchObject({ Drain: true, SchedulingEligibility: 'ineligible' })
    nomad.settle()
    const moved = nomad.state.allocations.filter((a) => a.JobID === 'workspace-alpha' && a.DesiredStatus === 'run')
    expect(moved).toHaveLength(1)
    expect(moved[0]!.NodeID).not.toBe(alloc.NodeID)
    expect(nomad.state.nodes.find((n) => n.ID === alloc.NodeID)).toMatchObject({ Drain: false, LastDrain: { Status: 'complete' } })
  })

  it('bad usage exits 2 with the usage text; Nomad errors exit 1', async () => {
    expect(await cli()).toMatchObject({ code: 2, err: expect.stringContaining('Usage: pnpm nomad') })
    expect(await cli('workspaces', 'explode')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') })
    expect(await cli('workspaces', 'inspect')).toMatchObject({ code: 2, err: expect.stringContaining('needs a workspace id') })
    expect(await cli('nodes', 'drain', 'n1', '--deadline', 'soon')).toMatchObject({ code: 2, err: expect.stringContaining('not a duration') })
    expect(await cli('nodes', 'drain', 'no-such-node')).toMatchObject({ code: 1, err: expect.stringContaining('404') })
    expect(await cli('--help')).toMatchObject({ code: 0, out: expect.stringContaining('workspaces list') })
  })

  it('parses Nomad-style durations', () => {
    expect(parseDuration('1h30m')).toBe(5400e9)
    expect(parseDuration('45s')).toBe(45e9)
    expect(() => parseDuration('1d')).toThrow(/not a duration/)
  })
})
