import type { RuntimeApi } from './runtime-api'
import { cgroupMemoryLimit, cgroupMemoryUsage, createCpuMeter } from './usage-meter'

export interface UsageReporterOptions {
  api: Pick<RuntimeApi, 'reportUsage'>
  everyMs: number
  activeRuns(): number
  activePlugins(): number
  log?(level: 'warn', msg: string, fields?: Record<string, unknown>): void
  /** Where the numbers come from; the container's cgroup by default. */
  memory?(): Promise<{ usedBytes: number | null; limitBytes: number | null }>
}

/**
 * Reports the workspace's usage to the platform every `everyMs` — for homes where the platform
 * cannot read the container itself (Nomad, driven from a Worker). Memory is what the container's
 * cgroup charges (the process's RSS outside one); CPU is this process's since the last report.
 */
export function startUsageReporter(opts: UsageReporterOptions) {
  const cpuSince = createCpuMeter()
  const memory = opts.memory ?? (async () => ({ usedBytes: await cgroupMemoryUsage(), limitBytes: await cgroupMemoryLimit() }))
  async function report(): Promise<void> {
    const { usedBytes, limitBytes } = await memory()
    await opts.api
      .reportUsage({ memoryBytes: usedBytes ?? process.memoryUsage().rss, memoryLimitBytes: limitBytes, cpuCores: cpuSince().cores, activeRuns: opts.activeRuns(), activePlugins: opts.activePlugins() })
      // A missed sample is only a gap in a chart; the next one comes a minute later.
      .catch((err: Error) => opts.log?.('warn', 'usage report failed', { error: err.message }))
  }
  const timer = setInterval(() => void report(), opts.everyMs)
  timer.unref()
  return { report, stop: () => clearInterval(timer) }
}
