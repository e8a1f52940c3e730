import { WIDGET_CATALOG, WIDGET_SPANS, type DashboardWidget, type WidgetSize, type WidgetType } from '@2bot/contracts'

/** CSS grid placement of a widget on the 4-column dashboard. */
export function gridStyle(size: WidgetSize): Record<string, string> {
  const { cols, rows } = WIDGET_SPANS[size]
  return { gridColumn: `span ${cols}`, gridRow: `span ${rows}` }
}

/** A fresh widget of `type` with the catalog's defaults and an id not yet in use. */
export function newWidget(type: WidgetType, taken: readonly DashboardWidget[]): DashboardWidget {
  const def = WIDGET_CATALOG[type]
  const ids = new Set(taken.map((w) => w.id))
  let n = 1
  while (ids.has(`${type}-${n}`)) n++
  return { id: `${type}-${n}`, type, size: def.defaultSize, refreshSeconds: def.defaultRefreshSeconds, settings: type === 'activity' ? { range: '24h' } : {} }
}

/** The list with the widget at `from` moved to `to` (both clamped); the input is not changed. */
export function moveWidget<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list]
  if (from < 0 || from >= next.length) return next
  const [item] = next.splice(from, 1)
  next.splice(Math.max(0, Math.min(to, next.length)), 0, item!)
  return next
}

/** Replaces one widget by id with `change` applied. */
export function updateWidget(list: readonly DashboardWidget[], id: string, change: Partial<Omit<DashboardWidget, 'id' | 'type'>>): DashboardWidget[] {
  return list.map((w) => (w.id === id ? { ...w, ...change } : w))
}

/** "Every minute", "Every 5 minutes", "Off". */
export function refreshLabel(seconds: number): string {
  if (seconds === 0) return 'Off'
  if (seconds < 60) return `Every ${seconds} s`
  const minutes = Math.round(seconds / 60)
  return minutes === 1 ? 'Every minute' : `Every ${minutes} minutes`
}

/** The interval in a few characters for the widget header: "30 s", "1 min". */
export function shortRefreshLabel(seconds: number): string {
  if (seconds === 0) return ''
  return seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`
}
