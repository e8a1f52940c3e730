import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startNomadDouble, type NomadDouble } from '../../../tests/doubles/nomad-api.double'
import { createNomadApi } from '../api/nomad-api.client'
import { resourcesForPlan } from '../job/plan-limits'
import { buildWorkspaceJob } from '../job/workspace-job'

/** The double must refuse what real Nomad would misread, or the driver's contract tests prove nothing. */
let nomad: NomadDouble
beforeAll(async () => {
  nomad = await startNomadDouble()
})
beforeEach(() => {
  nomad.violations.splice(0)
})
afterAll(async () => {
  await nomad.stop()
})

const job = () =>
  buildWorkspaceJob({ workspaceId: 'c1', userId: 'u', plan: 'FREE', resources: resourcesForPlan('FREE'), image: 'img', apiUrl: 'https://api', count: 1 })
const post = (path: string, body?: unknown) =>
  fetch(`${nomad.addr}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })

describe('Nomad API double: requests are checked against nomad-openapi.yaml', () => {
  it('accepts the job the driver builds', async () => {
    const res = await post('/v1/jobs', { Job: job() })
    expect(res.status).toBe(200)
    expect(nomad.violations).toEqual([])
  })

  it('refuses a misspelt field that Nomad would silently drop', async () => {
    const bad = job() as Record<string, unknown>
    ;(bad.TaskGroups as Record<string, unknown>[])[0]!.Tasks = [{ Name: 'runtime', Driver: 'docker', Resources: { CPU: 500, MemoryMb: 256 } }]
    const res = await post('/v1/jobs', { Job: bad })
    expect(res.status).toBe(400)
    expect(nomad.violations).toEqual([
      { kind: 'request', operation: 'RegisterJob', message: expect.stringMatching(/Resources must NOT have additional properties: MemoryMb/) },
    ])
  })

  it('refuses wrong types, unknown paths and methods, missing bodies and unknown or malformed parameters', async () => {
    expect((await post('/v1/jobs', { Job: { ...job(), Priority: 'high' } })).status).toBe(400)
    expect((await post('/v1/job/c1/scale')).status).toBe(400)
    expect((await fetch(`${nomad.addr}/v1/job/c1?purge=yes`, { method: 'DELETE' })).status).toBe(400)
    expect((await fetch(`${nomad.addr}/v1/jobs?colour=blue`)).status).toBe(400)
    expect((await fetch(`${nomad.addr}/v1/workspaces`)).status).toBe(404)
    expect((await fetch(`${nomad.addr}/v1/jobs`, { method: 'PATCH' })).status).toBe(405)
    expect(nomad.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/Priority must be integer/),
      'missing required request body',
      expect.stringMatching(/purge must be a boolean/),
      'unknown query parameter colour',
      'no such path /v1/workspaces',
      'method PATCH not allowed on /v1/jobs',
    ])
  })

  it('checks the ACL token when one is configured', async () => {
    const guarded = await startNomadDouble({ token: 't0k' })
    try {
      await expect(createNomadApi({ addr: guarded.addr }).listJobs()).rejects.toThrow(/403/)
      await expect(createNomadApi({ addr: guarded.addr, token: 't0k' }).listJobs()).resolves.toEqual([])
    } finally {
      await guarded.stop()
    }
  })

  it("validates its own answers: every operation the client uses answers the spec's schema", async () => {
    const api = createNomadApi({ addr: nomad.addr, region: 'global', namespace: 'default' })
    await api.registerJob(job())
    nomad.settle()
    await api.putVariable('nomad/jobs/workspace-c1', { token: 'x' })
    const [node] = await api.listNodes()
    const [alloc] = await api.jobAllocations('workspace-c1')
    await api.getJob('workspace-c1')
    await api.listJobs('workspace-')
    await api.scaleStatus('workspace-c1')
    await api.latestDeployment('workspace-c1')
    await api.nodeAllocations(node!.ID!)
    await api.stopAllocation(alloc!.ID!)
    await api.drainNode(node!.ID!, 60e9, 'test')
    nomad.settle()
    await api.scaleGroup('workspace-c1', 'runtime', 0, 'sleep')
    await api.deleteVariable('nomad/jobs/workspace-c1')
    await api.deregisterJob('workspace-c1', true)
    expect(await api.getJob('workspace-c1')).toBeUndefined()
    expect(nomad.violations).toEqual([])
    const used = new Set(nomad.calls.map((c) => c.operationId))
    for (const op of ['RegisterJob', 'PutVariable', 'GetNodes', 'GetJobAllocations', 'GetJob', 'GetJobs', 'GetJobScaleStatus', 'GetJobDeployment', 'GetNodeAllocations', 'PostAllocationStop', 'UpdateNodeDrain', 'PostJobScalingRequest', 'DeleteVariable', 'DeleteJob']) {
      expect(used).toContain(op)
    }
  })
})
