import { describe, expect, it } from 'vitest'
import { PLAN_LIMITS, resourcesForPlan, type PlanName } from './plan-limits'
import { buildWorkspaceJob, SECOND_NS, TOKEN_TEMPLATE, workspaceJobId } from './workspace-job'

const base = { workspaceId: 'w1', userId: 'u1', image: 'img:1', apiUrl: 'https://api.example', count: 1 as const }

describe('workspace job per plan', () => {
  const expected: Record<PlanName, { memoryMb: number; cpuMhz: number }> = {
    FREE: { memoryMb: 512, cpuMhz: 1000 },
    STARTER: { memoryMb: 1024, cpuMhz: 2000 },
    PRO: { memoryMb: 2048, cpuMhz: 4000 },
    BUSINESS: { memoryMb: 4096, cpuMhz: 8000 },
    ENTERPRISE: { memoryMb: 8192, cpuMhz: 16000 },
    ORG_STARTER: { memoryMb: 4096, cpuMhz: 4000 },
    ORG_GROWTH: { memoryMb: 8192, cpuMhz: 8000 },
    ORG_PRO: { memoryMb: 16384, cpuMhz: 16000 },
    ORG_BUSINESS: { memoryMb: 32768, cpuMhz: 32000 },
    ORG_ENTERPRISE: { memoryMb: 32768, cpuMhz: 32000 },
  }

  for (const plan of Object.keys(PLAN_LIMITS) as PlanName[]) {
    it(`${plan}: ${expected[plan].memoryMb} MB, ${expected[plan].cpuMhz} MHz on the docker driver`, () => {
      const job = buildWorkspaceJob({ ...base, plan, resources: resourcesForPlan(plan) })
      const group = job.TaskGroups![0]!
      const task = group.Tasks![0]!
      expect(task.Driver).toBe('docker')
      expect(task.Config).toEqual({ image: 'img:1', ports: ['health'] })
      expect(task.Resources).toEqual({ CPU: expected[plan].cpuMhz, MemoryMB: expected[plan].memoryMb })
      expect(group.EphemeralDisk).toEqual({ SizeMB: PLAN_LIMITS[plan].diskMb })
      expect(job.Meta).toEqual({ workspace_id: 'w1', user_id: 'u1', organization_id: '', plan })
    })
  }

  it('converts CPU with the documented factor, overridable per cluster', () => {
    expect(resourcesForPlan('FREE')).toEqual({ cpuMhz: 1000, memoryMb: 512, diskMb: 100 })
    expect(resourcesForPlan('PRO', 2500)).toEqual({ cpuMhz: 5000, memoryMb: 2048, diskMb: 5120 })
  })

  it('has the update, restart, reschedule, service and secret wiring a workspace needs', () => {
    const job = buildWorkspaceJob({ ...base, organizationId: 'o1', userId: null, plan: 'PRO', resources: resourcesForPlan('PRO'), region: 'eu', namespace: 'workspaces', count: 0 })
    expect(job.ID).toBe(workspaceJobId('w1'))
    expect(job.Region).toBe('eu')
    expect(job.Namespace).toBe('workspaces')
    expect(job.Meta).toMatchObject({ user_id: '', organization_id: 'o1' })
    expect(job.Update).toMatchObject({ Canary: 1, AutoPromote: true, AutoRevert: true, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * SECOND_NS })
    const group = job.TaskGroups![0]!
    expect(group.Count).toBe(0)
    expect(group.Scaling).toEqual({ Min: 0, Max: 1, Enabled: false })
    expect(group.RestartPolicy).toMatchObject({ Mode: 'delay', Attempts: 3 })
    expect(group.ReschedulePolicy).toMatchObject({ Unlimited: true, DelayFunction: 'exponential' })
    expect(group.Services![0]!.Checks![0]).toMatchObject({ Type: 'http', Path: '/health', Interval: 10 * SECOND_NS })
    const task = group.Tasks![0]!
    expect(task.Env).toEqual({ TWOBOT_API_URL: 'https://api.example', TWOBOT_WORKSPACE_ID: 'w1', TWOBOT_HEALTH_PORT: '8081', TWOBOT_HEALTH_HOST: '0.0.0.0', TWOBOT_ISOLATION: 'worker', TWOBOT_USAGE_REPORT_SECONDS: '60' })
    expect(task.Templates).toEqual([{ EmbeddedTmpl: TOKEN_TEMPLATE, DestPath: 'secrets/workspace.env', Envvars: true, ChangeMode: 'restart' }])
    expect(JSON.stringify(job)).not.toMatch(/TWOBOT_WORKSPACE_TOKEN=[^{]/)
  })
})
