import type { ActivitySeries, DashboardStats } from '@2bot/contracts'

export interface StatCard {
  key: string
  label: string
  value: string
}

const integer = new Intl.NumberFormat()

/** The Stats widget's tiles, formatted. */
export function statCards(s: DashboardStats): StatCard[] {
  return [
    { key: 'today', label: 'Runs today', value: integer.format(s.executionsToday) },
    { key: 'week', label: 'Runs, 7 days', value: integer.format(s.executions7d) },
    { key: 'success', label: 'Success rate, 7 days', value: s.successRate7d === null ? '—' : `${Math.round(s.successRate7d * 1000) / 10}%` },
    { key: 'workflows', label: 'Active workflows', value: integer.format(s.activeWorkflows) },
    { key: 'gateways', label: 'Gateways connected', value: `${s.connectedGateways} / ${s.totalGateways}` },
  ]
}

/** Labels for the activity chart's x axis: hours for 24 h, short dates for days. */
export function activityLabels(series: ActivitySeries, locale?: string): string[] {
  const fmt =
    series.bucket === 'hour'
      ? new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })
      : new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' })
  return series.points.map((p) => fmt.format(new Date(p.start)))
}

export function activityTotals(series: ActivitySeries): { completed: number; failed: number } {
  return series.points.reduce((t, p) => ({ completed: t.completed + p.completed, failed: t.failed + p.failed }), { completed: 0, failed: 0 })
}
