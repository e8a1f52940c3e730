import { expect, it } from 'vitest'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { startUsageReporter } from './usage-reporter'

it('reports the cgroup’s memory, CPU since the last report, runs and plugins; a failed report is only logged', async () => {
  const fake = fakeRuntimeApi([])
  const logs: unknown[] = []
  const reporter = startUsageReporter({
    api: fake.api,
    everyMs: 60_000,
    source: 'cgroup',
    activeRuns: () => 3,
    activePlugins: () => 2,
    memory: async () => ({ usedBytes: 123 * 2 ** 20, limitBytes: 512 * 2 ** 20 }),
    log: (...args) => logs.push(args),
  })
  await reporter.report()
  expect(fake.reports).toEqual([{ memoryBytes: 123 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: expect.any(Number), activeRuns: 3, activePlugins: 2 }])

  // A child process on a host counts its own RSS, never the host cgroup's charge.
  const own = fakeRuntimeApi([])
  await startUsageReporter({ api: own.api, everyMs: 60_000, source: 'process', activeRuns: () => 0, activePlugins: () => 0 }).report()
  const rss = process.memoryUsage().rss
  expect(own.reports[0]!.memoryLimitBytes).toBeNull()
  expect(own.reports[0]!.memoryBytes).toBeGreaterThan(rss / 2)
  expect(own.reports[0]!.memoryBytes).toBeLessThan(rss * 2)

  const down = startUsageReporter({ api: { reportUsage: () => Promise.reject(new Error('platform down')) }, everyMs: 60_000, source: 'process', activeRuns: () => 0, activePlugins: () => 0, log: (...args) => logs.push(args) })
  await expect(down.report()).resolves.toBeUndefined()
  expect(JSON.stringify(logs)).toContain('platform down')
  reporter.stop()
  down.stop()
})
