import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startNomadDouble, type NomadDouble } from '../../../tests/doubles/nomad-api.double'
import { createNomadApi } from '../api/nomad-api.client'
import { workspaceJobId, workspaceVariablePath } from '../job/workspace-job'
import { createNomadDriver, type WorkspaceOwner } from './nomad.driver'

const TOKEN = 'nomad-acl-secret'
let nomad: NomadDouble

beforeAll(async () => {
  nomad = await startNomadDouble({ token: TOKEN })
})
afterEach(() => {
  const found = nomad.violations.splice(0)
  expect(found).toEqual([])
})
afterAll(async () => {
  await nomad.stop()
})

function setup(owners: Record<string, WorkspaceOwner>) {
  const logs: { msg: string; fields?: Record<string, unknown> }[] = []
  let minted = 0
  const driver = createNomadDriver({
    api: createNomadApi({ addr: nomad.addr, token: TOKEN, region: 'global' }),
    image: 'registry.example/2bot/runtime:1.0.0',
    apiUrl: 'https://api.2bot.example',
    describeWorkspace: async (id) => {
      const owner = owners[id]
      if (!owner) throw new Error('unknown workspace')
      return owner
    },
    logger: { log: (_level, msg, fields) => logs.push({ msg, ...(fields ? { fields } : {}) }) },
  })
  const issueToken = async () => `wst_${++minted}_secret`
  return { driver, issueToken, logs, minted: () => minted }
}

const liveAllocs = (jobId: string) => nomad.state.allocations.filter((a) => a.JobID === jobId && a.DesiredStatus === 'run')

describe('NomadDriver against the Nomad API double', () => {
  it('registers a workspace job sized by the plan, with the token only in a Nomad Variable', async () => {
    const owners: Record<string, WorkspaceOwner> = { ws1: { userId: 'u1', plan: 'PRO' } }
    const { driver, issueToken, logs } = setup(owners)
    await driver.ensureRunning('ws1', issueToken)

    const job = nomad.state.jobs.get('workspace-ws1')!.job as { Meta: Record<string, string>; TaskGroups: { Count: number; Tasks: { Resources: Record<string, number>; Env: Record<string, string> }[] }[] }
    expect(job.Meta).toEqual({ workspace_id: 'ws1', user_id: 'u1', organization_id: '', plan: 'PRO' })
    expect(job.TaskGroups[0]!.Count).toBe(1)
    expect(job.TaskGroups[0]!.Tasks[0]!.Resources).toEqual({ CPU: 4000, MemoryMB: 2048 })
    expect(nomad.state.variables.get('nomad/jobs/workspace-ws1')?.items).toEqual({ token: 'wst_1_secret' })
    // The token is in no job field, no log line, and was sent only to the variables endpoint.
    expect(JSON.stringify(job)).not.toContain('wst_1_secret')
    expect(JSON.stringify(logs)).not.toContain('wst_1_secret')
    const carrying = nomad.calls.filter((c) => JSON.stringify(c.body ?? '').includes('wst_1_secret'))
    expect(carrying.map((c) => c.operationId)).toEqual(['PutVariable'])

    nomad.settle()
    expect(await driver.inspect('ws1')).toMatchObject({ state: 'running', plan: 'PRO', desired: 1, resources: { cpuMhz: 4000, memoryMb: 2048, diskMb: 5120 } })
  })

  it('leaves a running workspace alone (no new token, no new version)', async () => {
    const { driver, issueToken, minted } = setup({ ws2: { userId: 'u2', plan: 'FREE' } })
    await driver.ensureRunning('ws2', issueToken)
    nomad.settle()
    const version = nomad.state.jobs.get('workspace-ws2')!.job.Version
    await Promise.all([driver.ensureRunning('ws2', issueToken), driver.ensureRunning('ws2', issueToken)])
    expect(minted()).toBe(1)
    expect(nomad.state.jobs.get('workspace-ws2')!.job.Version).toBe(version)
  })

  it('sleeps by scaling to 0 and wakes by scaling to 1 with a fresh token', async () => {
    const { driver, issueToken } = setup({ ws3: { userId: 'u3', plan: 'STARTER' } })
    await driver.ensureRunning('ws3', issueToken)
    nomad.settle()
    await driver.sleep('ws3')
    expect(liveAllocs('workspace-ws3')).toHaveLength(0)
    expect((await driver.inspect('ws3')).state).toBe('asleep')
    const scaleCalls = nomad.calls.filter((c) => c.operationId === 'PostJobScalingRequest' && c.path.includes('workspace-ws3'))
    expect(scaleCalls.at(-1)?.body).toMatchObject({ Count: 0, Target: { Group: 'runtime' } })

    await driver.ensureRunning('ws3', issueToken)
    expect(nomad.calls.filter((c) => c.operationId === 'PostJobScalingRequest' && c.path.includes('workspace-ws3')).at(-1)?.body).toMatchObject({ Count: 1 })
    expect(nomad.state.variables.get(workspaceVariablePath('ws3'))?.items.token).toBe('wst_2_secret')
    expect((await driver.inspect('ws3')).state).toBe('starting')
    nomad.settle()
    expect((await driver.inspect('ws3')).state).toBe('running')
  })

  it('changes plan with a canary beside the old allocation, then auto-promotes it (zero downtime)', async () => {
    const owners: Record<string, WorkspaceOwner> = { ws4: { organizationId: 'org1', plan: 'FREE' } }
    const { driver, issueToken } = setup(owners)
    await driver.ensureRunning('ws4', issueToken)
    nomad.settle()
    const [old] = liveAllocs('workspace-ws4')

    owners.ws4!.plan = 'BUSINESS'
    expect(await driver.applyPlan('ws4')).toEqual({ changed: true })
    const during = liveAllocs('workspace-ws4')
    expect(during).toHaveLength(2)
    expect(during.find((a) => a.DeploymentStatus?.Canary)).toBeDefined()

    // Every tick until promotion, at least one allocation runs: no gap in service.
    for (let i = 0; i < 5; i++) {
      nomad.tick()
      expect(liveAllocs('workspace-ws4').some((a) => a.ClientStatus === 'running')).toBe(true)
    }
    const status = await driver.inspect('ws4')
    expect(status).toMatchObject({ state: 'running', plan: 'BUSINESS', resources: { cpuMhz: 8000, memoryMb: 4096 } })
    expect(status.deployment).toMatchObject({ status: 'successful', promoted: true })
    expect(liveAllocs('workspace-ws4')).toHaveLength(1)
    expect(liveAllocs('workspace-ws4')[0]!.ID).not.toBe(old!.ID)
    expect(await driver.applyPlan('ws4')).toEqual({ changed: false })
  })

  it('an unhealthy canary fails its deployment and the old allocation keeps running', async () => {
    const owners: Record<string, WorkspaceOwner> = { ws5: { userId: 'u5', plan: 'PRO' } }
    const { driver, issueToken } = setup(owners)
    await driver.ensureRunning('ws5', issueToken)
    nomad.settle()
    const [old] = liveAllocs('workspace-ws5')
    owners.ws5!.plan = 'ENTERPRISE'
    nomad.failNextCanary()
    await driver.resize('ws5')
    nomad.settle()
    expect((await driver.inspect('ws5')).deployment?.status).toBe('failed')
    expect(liveAllocs('workspace-ws5').map((a) => a.ID)).toContain(old!.ID)
  })

  it('applies a plan changed while asleep on wake, and refuses unknown plans', async () => {
    const owners: Record<string, WorkspaceOwner> = { ws6: { userId: 'u6', plan: 'FREE' } }
    const { driver, issueToken } = setup(owners)
    await driver.ensureRunning('ws6', issueToken)
    nomad.settle()
    await driver.sleep('ws6')
    owners.ws6!.plan = 'PRO'
    await driver.ensureRunning('ws6', issueToken)
    nomad.settle()
    expect(await driver.inspect('ws6')).toMatchObject({ state: 'running', plan: 'PRO' })

    owners.ws7 = { userId: 'u7', plan: 'GOLD' }
    await expect(driver.ensureRunning('ws7', issueToken)).rejects.toThrow(/unknown plan/)
    expect(nomad.state.jobs.has('workspace-ws7')).toBe(false)
  })

  it('stop scales to 0, stopAll leaves workspaces running, remove purges the job and the token', async () => {
    const { driver, issueToken } = setup({ ws8: { userId: 'u8', plan: 'FREE' }, ws9: { userId: 'u9', plan: 'FREE' } })
    await driver.ensureRunning('ws8', issueToken)
    await driver.ensureRunning('ws9', issueToken)
    nomad.settle()
    await driver.stopAll()
    expect(liveAllocs('workspace-ws9')).toHaveLength(1)
    await driver.stop('ws8')
    expect(liveAllocs('workspace-ws8')).toHaveLength(0)
    await driver.remove('ws8')
    expect(nomad.state.jobs.has(workspaceJobId('ws8'))).toBe(false)
    expect(nomad.state.variables.has(workspaceVariablePath('ws8'))).toBe(false)
    expect(await driver.inspect('ws8')).toMatchObject({ state: 'absent' })
  })

  it('surfaces Nomad refusals (a wrong ACL token) as NomadApiError without the token', async () => {
    const driver = createNomadDriver({
      api: createNomadApi({ addr: nomad.addr, token: 'wrong-token' }),
      image: 'img',
      apiUrl: 'https://api',
      describeWorkspace: async () => ({ userId: 'u', plan: 'FREE' }),
    })
    const error = await driver.ensureRunning('wsx', async () => 'tok').catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/403/)
    expect((error as Error).message).not.toContain('wrong-token')
  })
})

describe('NomadDriver.status: the platform vocabulary (WorkspaceRuntimeStatus)', () => {
  it('running → restarting after an OOM kill (restarts counted) → running; asleep is stopped', async () => {
    const { driver, issueToken } = setup({ ws10: { userId: 'u10', plan: 'FREE' } })
    expect(await driver.status('ws10')).toEqual({ state: 'stopped', restarts: 0 })
    await driver.ensureRunning('ws10', issueToken)
    expect(await driver.status('ws10')).toMatchObject({ state: 'starting', restarts: 0, limits: { memoryMb: 512, cpus: 0.5 } })
    nomad.settle()
    const [alloc] = liveAllocs('workspace-ws10')
    expect(await driver.status('ws10')).toMatchObject({ state: 'running', instanceId: alloc!.ID, restarts: 0, startedAt: expect.any(String) })

    nomad.crashTask(alloc!.ID, { oom: true })
    expect(await driver.status('ws10')).toMatchObject({ state: 'restarting', instanceId: alloc!.ID, restarts: 1, oomKilled: true })
    nomad.tick()
    expect(await driver.status('ws10')).toMatchObject({ state: 'running', restarts: 1 })

    await driver.sleep('ws10')
    expect(await driver.status('ws10')).toMatchObject({ state: 'stopped' })
  })

  it('resize (the port method) is a no-op for an asleep workspace; wake applies the new plan', async () => {
    const owners: Record<string, WorkspaceOwner> = { ws11: { userId: 'u11', plan: 'FREE' } }
    const { driver, issueToken } = setup(owners)
    await driver.ensureRunning('ws11', issueToken)
    nomad.settle()
    await driver.sleep('ws11')
    const version = nomad.state.jobs.get('workspace-ws11')!.job.Version
    owners.ws11!.plan = 'STARTER'
    await driver.resize('ws11', issueToken)
    expect(nomad.state.jobs.get('workspace-ws11')!.job.Version).toBe(version)
    await driver.ensureRunning('ws11', issueToken)
    nomad.settle()
    expect(await driver.status('ws11')).toMatchObject({ state: 'running', limits: { memoryMb: 1024, cpus: 1 } })
  })
})

describe('NomadDriver: concurrent wakes from several API instances', () => {
  it('ends with the variable holding the last token the platform issued, and one start', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `race${round}`
      let current = ''
      let issued = 0
      // The platform keeps only the newest token (issuing rotates it); the answer takes a while to arrive.
      const issueToken = async () => {
        const token = `tok_${round}_${++issued}`
        current = token
        await new Promise((r) => setTimeout(r, Math.random() * 30))
        return token
      }
      const isolates = Array.from({ length: 4 }, () => setup({ [id]: { userId: 'u', plan: 'FREE' } }).driver)
      await Promise.all(isolates.map((d) => d.ensureRunning(id, issueToken)))
      nomad.settle()
      expect(nomad.state.variables.get(workspaceVariablePath(id))?.items).toEqual({ token: current })
      expect(liveAllocs(workspaceJobId(id))).toHaveLength(1)

      // Asleep, then a burst of wakes: the same holds.
      await isolates[0]!.sleep(id)
      await Promise.all(isolates.map((d) => d.ensureRunning(id, issueToken)))
      nomad.settle()
      expect(nomad.state.variables.get(workspaceVariablePath(id))?.items).toEqual({ token: current })
      expect(liveAllocs(workspaceJobId(id))).toHaveLength(1)
    }
  })

  it('takes over a claim left by a waker that died, once it is a minute old', async () => {
    let clock = 1_000_000
    const api = createNomadApi({ addr: nomad.addr, token: TOKEN })
    const driver = createNomadDriver({ api, image: 'img', apiUrl: 'https://api', describeWorkspace: async () => ({ userId: 'u', plan: 'FREE' }), now: () => clock })
    await api.putVariable(workspaceVariablePath('orphan'), { claim: 'dead-waker', claimed_at: String(clock) }, 0)
    await driver.ensureRunning('orphan', async () => 'tok-new')
    expect(nomad.state.jobs.has('workspace-orphan')).toBe(false)
    clock += 61_000
    await driver.ensureRunning('orphan', async () => 'tok-new')
    expect(nomad.state.jobs.has('workspace-orphan')).toBe(true)
    expect(nomad.state.variables.get(workspaceVariablePath('orphan'))?.items).toEqual({ token: 'tok-new' })
  })

  it('releases its claim when the platform cannot issue a token, so the next wake proceeds at once', async () => {
    const { driver, issueToken } = setup({ rel: { userId: 'u', plan: 'FREE' } })
    await expect(driver.ensureRunning('rel', async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down')
    expect(nomad.state.jobs.has('workspace-rel')).toBe(false)
    await driver.ensureRunning('rel', issueToken)
    expect(nomad.state.jobs.has('workspace-rel')).toBe(true)
  })
})
