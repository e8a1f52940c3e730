import type { RuntimeApi } from './runtime-api'
import { cgroupMemoryLimit, cgroupMemoryUsage, createCpuMeter } from './usage-meter'

export interface UsageReporterOptions {
  api: Pick<RuntimeApi, 'reportUsage'>
  everyMs: number
  activeRuns(): number
  activePlugins(): number
  log?(level: 'warn', msg: string, fields?: Record<string, unknown>): void
  /**
   * `cgroup` (a container): what the container's cgroup charges, against its limit. `process` (a
   * child process on a host, whose cgroup holds everything else on the machine too): this process's RSS.
   */
  source: 'cgroup' | 'process'
  /** Where the numbers come from (tests); read from the cgroup or the process by default. */
  memory?(): Promise<{ usedBytes: number | null; limitBytes: number | null }>
}

/** A cgroup without a memory limit is not a container's own: its usage would count other processes. */
async function cgroupMemory(): Promise<{ usedBytes: number | null; limitBytes: number | null }> {
  const limitBytes = await cgroupMemoryLimit()
  return { usedBytes: limitBytes === null ? null : await cgroupMemoryUsage(), limitBytes }
}

/**
 * Reports the workspace's usage to the platform every `everyMs` — for homes where the platform
 * cannot read the runtime itself (Nomad, driven from a Worker; a child process). Memory is what the
 * container's cgroup charges, or this process's RSS; CPU is this process's since the last report.
 */
export function startUsageReporter(opts: UsageReporterOptions) {
  const cpuSince = createCpuMeter()
  const memory = opts.memory ?? (opts.source === 'cgroup' ? cgroupMemory : async () => ({ usedBytes: null, limitBytes: null }))
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
