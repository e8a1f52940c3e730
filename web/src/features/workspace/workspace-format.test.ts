import type { PublicWorkspace } from '@2bot/edge-api/contracts'
import { describe, expect, it } from 'vitest'
import { formatBytes, gauges, percentOf, usageSeries } from './workspace-format'

const ws = (usage: PublicWorkspace['usage']): PublicWorkspace => ({
  id: 'w', status: 'RUNNING', driver: 'docker', plan: 'FREE', limits: { memoryMb: 512, cpus: 0.5, storageMb: 100 }, idleMinutes: 15,
  keepAlive: false, keepAliveAllowed: false, startedAt: null, sleptAt: null, restarts: 0, oomKilled: false, usage,
})

describe('workspace format', () => {
  it('formats sizes and shares', () => {
    expect(formatBytes(256 * 2 ** 20)).toBe('256 MB')
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GB')
    expect(formatBytes(null)).toBe('—')
    expect(percentOf(50, 200)).toBe(25)
    expect(percentOf(500, 200)).toBe(100)
    expect(percentOf(1, null)).toBeNull()
  })

  it('builds gauges against the plan limits', () => {
    const g = gauges(ws({ at: '2026-01-01T00:00:00Z', memoryBytes: 128 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.25, cpuLimitCores: 0.5, storageBytes: 0, activeRuns: 3 }))
    expect(g.memory).toEqual({ text: '128 MB of 512 MB', percent: 25 })
    expect(g.cpu).toEqual({ text: '0.25 of 0.5 CPU', percent: 50 })
    expect(g.runs).toBe(3)
    expect(gauges(ws(null)).memory).toBeNull()
  })

  it('turns samples into chart series', () => {
    const s = usageSeries([{ at: '2026-01-01T10:00:00Z', memoryBytes: 64 * 2 ** 20, memoryLimitBytes: null, cpuCores: 0.1, cpuLimitCores: null, storageBytes: 0, activeRuns: 0 }])
    expect(s.memoryMb).toEqual([64])
    expect(s.cpuCores).toEqual([0.1])
    expect(s.labels).toHaveLength(1)
  })
})
