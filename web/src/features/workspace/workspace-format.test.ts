import type { PublicDepartmentUsage, PublicPoolUsage, PublicWorkspace } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { departmentRows, formatBytes, formatRunTime, gauges, isolationText, percentOf, usageSeries } from './workspace-format'

const ws = (usage: PublicWorkspace['usage']): PublicWorkspace => ({
  id: 'w', status: 'RUNNING', driver: 'docker', plan: 'FREE', limits: { memoryMb: 512, cpus: 0.5, storageMb: 100 }, idleMinutes: 15,
  keepAlive: false, keepAliveAllowed: false, startedAt: null, sleptAt: null, restarts: 0, oomKilled: false, usage, bulkheads: null,
})

const dept = (overrides: Partial<PublicDepartmentUsage>): PublicDepartmentUsage => ({
  id: 'dep_1', name: 'Fleet', runs: 10, runSeconds: 120, sharePercent: 60, quotaPercent: 50, overQuota: true, heldBack: true, ...overrides,
})
const pool = (departments: PublicDepartmentUsage[], runSeconds = 200): PublicPoolUsage => ({
  organizationId: 'org_1', workspaceId: 'ws_org', windowMinutes: 60, runs: departments.reduce((n, d) => n + d.runs, 0), runSeconds, departments,
  fairShareMinimum: { departmentRuns: 5, poolRunSeconds: 60 },
})

describe('workspace format', () => {
  it('says how runs and gateways are kept apart', () => {
    expect(isolationText({ runMemoryMb: 256, gatewayMemoryMb: 128, pluginMemoryMb: 64 })).toBe('Each run in its own thread (up to 256 MB), each gateway (128 MB) and plugin (64 MB) too; one that runs out stops alone')
    expect(isolationText(null)).toContain('share the workspace process')
  })

  it('formats sizes and shares', () => {
    expect(formatBytes(256 * 2 ** 20)).toBe('256 MB')
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GB')
    expect(formatBytes(null)).toBe('—')
    expect(percentOf(50, 200)).toBe(25)
    expect(percentOf(500, 200)).toBe(100)
    expect(percentOf(1, null)).toBeNull()
  })

  it('builds gauges against the plan limits', () => {
    const g = gauges(ws({ at: '2026-01-01T00:00:00Z', memoryBytes: 128 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.25, cpuLimitCores: 0.5, storageBytes: 0, activeRuns: 3, activePlugins: 1 }))
    expect(g.memory).toEqual({ text: '128 MB of 512 MB', percent: 25 })
    expect(g.cpu).toEqual({ text: '0.25 of 0.5 CPU', percent: 50 })
    expect(g.runs).toBe(3)
    expect(g.plugins).toBe(1)
    expect(gauges(ws(null)).memory).toBeNull()
  })

  it('turns samples into chart series', () => {
    const s = usageSeries([{ at: '2026-01-01T10:00:00Z', memoryBytes: 64 * 2 ** 20, memoryLimitBytes: null, cpuCores: 0.1, cpuLimitCores: null, storageBytes: 0, activeRuns: 0, activePlugins: 0 }])
    expect(s.memoryMb).toEqual([64])
    expect(s.cpuCores).toEqual([0.1])
    expect(s.labels).toHaveLength(1)
  })

  it('formats run time from seconds to hours', () => {
    expect(formatRunTime(0)).toBe('0 s')
    expect(formatRunTime(2.25)).toBe('2.3 s')
    expect(formatRunTime(45.4)).toBe('45 s')
    expect(formatRunTime(754)).toBe('12 min 34 s')
    expect(formatRunTime(120)).toBe('2 min')
    expect(formatRunTime(3900)).toBe('1 h 5 min')
    expect(formatRunTime(7200)).toBe('2 h')
  })

  it('shows each department’s share against its quota, and says its runs wait only when fair share applies', () => {
    const rows = departmentRows(
      pool([
        dept({ id: 'dep_fleet', name: 'Fleet' }),
        dept({ id: 'dep_hr', name: 'HR', runs: 4, runSeconds: 60, sharePercent: 30, quotaPercent: 50, overQuota: false, heldBack: false }),
        dept({ id: null, name: 'No department', runs: 1, runSeconds: 20, sharePercent: 10, quotaPercent: null, overQuota: false, heldBack: false }),
      ]),
    )
    expect(rows.map((r) => r.key)).toEqual(['dep_fleet', 'dep_hr', 'no-department'])
    expect(rows[0]).toMatchObject({ runTime: '2 min', sharePercent: 60, quotaPercent: 50, shareText: '60 % · share 50 %', overQuota: true, hint: 'Over its share — its runs wait behind others’.' })
    expect(rows[1]).toMatchObject({ shareText: '30 % · share 50 %', hint: null })
    expect(rows[2]).toMatchObject({ shareText: '10 % · no quota', quotaPercent: null, hint: null })
  })

  it('does not claim an over-share department waits when the platform has not held it back', () => {
    const [notYet] = departmentRows(pool([dept({ runs: 4, heldBack: false })]))
    expect(notYet!.hint).toBe("Over its share, not held back: fair share starts at 5 runs and 60 s of the pool's run time, checked at each usage sample.")
  })
})
