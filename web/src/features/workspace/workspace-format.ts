import type { PublicPoolUsage, PublicUsageSample, PublicWorkspace, WorkspaceStatus } from '@2bot/contracts'

/** What each status means to the user, and the tag colour it gets. */
export const STATUS_INFO: Record<WorkspaceStatus, { label: string; hint: string; type: 'success' | 'info' | 'warning' | 'error' | 'default' }> = {
  NONE: { label: 'Not started', hint: 'Your workspace starts by itself when a workflow first runs, or start it now.', type: 'default' },
  STOPPED: { label: 'Stopped', hint: 'Queued work starts it again by itself.', type: 'default' },
  STARTING: { label: 'Starting', hint: 'The runtime is coming up.', type: 'info' },
  RUNNING: { label: 'Running', hint: 'Workflows run here as soon as they are triggered.', type: 'success' },
  STOPPING: { label: 'Stopping', hint: 'Runs in flight finish first.', type: 'warning' },
  SLEEPING: { label: 'Sleeping', hint: 'Idle, so it sleeps; the next run wakes it in moments.', type: 'info' },
  RESTARTING: { label: 'Restarting', hint: 'It stopped unexpectedly and is coming back by itself.', type: 'warning' },
  CRASHED: { label: 'Crashed', hint: 'It stopped unexpectedly; it restarts with the next run, or restart it now.', type: 'error' },
  ERROR: { label: 'Error', hint: 'The last start failed. Try a restart.', type: 'error' },
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—'
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`
  return `${Math.round(bytes / 2 ** 20)} MB`
}

/** Share of a limit as a whole percentage, 0–100 (null when there is no limit). */
export function percentOf(used: number, limit: number | null | undefined): number | null {
  if (!limit) return null
  return Math.min(100, Math.round((used / limit) * 100))
}

/** The memory and CPU gauges of the status card. */
export function gauges(ws: PublicWorkspace) {
  const u = ws.usage
  return {
    memory: u ? { text: `${formatBytes(u.memoryBytes)} of ${formatBytes(ws.limits.memoryMb * 2 ** 20)}`, percent: percentOf(u.memoryBytes, ws.limits.memoryMb * 2 ** 20) } : null,
    cpu: u ? { text: `${u.cpuCores.toFixed(2)} of ${ws.limits.cpus} CPU`, percent: percentOf(u.cpuCores, ws.limits.cpus) } : null,
    runs: u ? u.activeRuns : null,
    plugins: u ? u.activePlugins : null,
  }
}

/** Chart series from samples: memory in MB and CPU in cores, labelled with local times. */
export function usageSeries(samples: PublicUsageSample[]) {
  const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
  return {
    labels: samples.map((s) => time.format(new Date(s.at))),
    memoryMb: samples.map((s) => Math.round((s.memoryBytes / 2 ** 20) * 10) / 10),
    cpuCores: samples.map((s) => s.cpuCores),
  }
}

/**
 * Run time as people read it.
 * @example formatRunTime(2.25) // '2.3 s'; formatRunTime(754) // '12 min 34 s'; formatRunTime(3900) // '1 h 5 min'
 */
export function formatRunTime(seconds: number): string {
  if (seconds < 9.95) return `${(Math.round(seconds * 10) / 10).toFixed(seconds === 0 ? 0 : 1)} s`
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  const min = Math.round((s % 3600) / 60)
  return `${Math.floor(s / 3600)} h${min ? ` ${min} min` : ''}`
}

export interface DepartmentRow {
  key: string
  name: string
  runs: number
  runTime: string
  /** Its part of the pool's run time, 0–100 (one decimal), for the bar. */
  sharePercent: number
  /** Its quota share, 0–100, or null for the runs in no department. */
  quotaPercent: number | null
  /** "38.5 % · share 33.3 %", or "12 % · no quota" for the runs in no department. */
  shareText: string
  overQuota: boolean
  /** Why an over-share department's runs do or do not wait yet; null when it is within its share. */
  hint: string | null
}

/**
 * The rows of the Departments table: each department's runs, run time and share of the pool's run
 * time against its quota share, with the fair-share consequence spelled out when it is over.
 */
export function departmentRows(pool: PublicPoolUsage): DepartmentRow[] {
  const minimum = pool.fairShareMinimum
  return pool.departments.map((d) => ({
    key: d.id ?? 'no-department',
    name: d.name,
    runs: d.runs,
    runTime: formatRunTime(d.runSeconds),
    sharePercent: Math.min(100, Math.max(0, d.sharePercent)),
    quotaPercent: d.quotaPercent,
    shareText: `${d.sharePercent} % · ${d.quotaPercent === null ? 'no quota' : `share ${d.quotaPercent} %`}`,
    overQuota: d.overQuota,
    hint: d.heldBack
      ? 'Over its share — its runs wait behind others’.'
      : d.overQuota
        ? `Over its share, not held back: fair share starts at ${minimum.departmentRuns} runs and ${minimum.poolRunSeconds} s of the pool's run time, checked at each usage sample.`
        : null,
  }))
}

/**
 * What keeps one run, gateway or plugin from taking the others down, in a sentence.
 * @example isolationText({ runMemoryMb: 256, gatewayMemoryMb: 128, pluginMemoryMb: 64 }) // 'Each run in its own thread (up to 256 MB), each gateway (128 MB) and plugin (64 MB) too…'
 */
export function isolationText(bulkheads: PublicWorkspace['bulkheads']): string {
  if (!bulkheads) return 'Runs share the workspace process (one running out of memory restarts the workspace); each plugin has a sandboxed thread of its own'
  return `Each run in its own thread (up to ${bulkheads.runMemoryMb} MB), each gateway (${bulkheads.gatewayMemoryMb} MB) and plugin (${bulkheads.pluginMemoryMb} MB) too; one that runs out stops alone`
}
