import type { PublicUsageSample, PublicWorkspace, WorkspaceStatus } from '@2bot/edge-api/contracts'

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
