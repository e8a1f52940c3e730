import type { WorkspaceDriver, WorkspaceUsage } from '../../src/adapters/workspace/workspace-driver.port'

/** A driver that records what the platform asked of it and reports what the test says. */
export function fakeWorkspaceDriver() {
  const running = new Set<string>()
  const calls: string[] = []
  let usage: WorkspaceUsage = { memoryBytes: 100 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.1, cpuLimitCores: 0.5, storageBytes: 0, activeRuns: 0 }
  const driver: WorkspaceDriver = {
    kind: 'docker',
    async ensureRunning(id, issueToken) {
      calls.push(`start ${id}`)
      if (!running.has(id)) await issueToken()
      running.add(id)
    },
    async stop(id) {
      calls.push(`stop ${id}`)
      running.delete(id)
    },
    async stopAll() {
      running.clear()
    },
    awake: () => [...running],
    async status(id) {
      return running.has(id) ? { state: 'running', restarts: 1, startedAt: '2026-01-01T00:00:00.000Z' } : { state: 'stopped', restarts: 0 }
    },
    async usage(id) {
      return running.has(id) ? usage : undefined
    },
    async resize(id) {
      calls.push(`resize ${id}`)
    },
  }
  return { driver, calls, running, setUsage: (u: Partial<WorkspaceUsage>) => (usage = { ...usage, ...u }) }
}
