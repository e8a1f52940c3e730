import * as v from 'valibot'

/** The built-in widgets (roadmap "Widget System"). */
export const WIDGET_TYPES = ['stats', 'activity', 'gateway-status'] as const
export type WidgetType = (typeof WIDGET_TYPES)[number]

/** Sizes on the 4-column grid: S 1×1, M 2×1, L 2×2, XL 4×2 (columns × rows). */
export const WIDGET_SIZES = ['S', 'M', 'L', 'XL'] as const
export type WidgetSize = (typeof WIDGET_SIZES)[number]
export const WIDGET_SPANS: Record<WidgetSize, { cols: number; rows: number }> = {
  S: { cols: 1, rows: 1 },
  M: { cols: 2, rows: 1 },
  L: { cols: 2, rows: 2 },
  XL: { cols: 4, rows: 2 },
}

export const ACTIVITY_RANGES = ['24h', '7d', '30d'] as const
export type ActivityRange = (typeof ACTIVITY_RANGES)[number]

/** Refresh intervals offered in the UI, in seconds (0 = only on demand). */
export const REFRESH_CHOICES = [0, 30, 60, 300, 900] as const
export const MAX_WIDGETS = 24

export interface WidgetDefinition {
  type: WidgetType
  name: string
  description: string
  defaultSize: WidgetSize
  allowedSizes: readonly WidgetSize[]
  defaultRefreshSeconds: number
  /** Where the widget's data comes from (roadmap `dataSource`); the UI calls it through the typed client. */
  dataSource: { type: 'api'; endpoint: string }
}

export const WIDGET_CATALOG: Record<WidgetType, WidgetDefinition> = {
  stats: {
    type: 'stats',
    name: 'Stats',
    description: 'Runs today and this week, success rate, active workflows and connected gateways.',
    defaultSize: 'XL',
    allowedSizes: ['M', 'L', 'XL'],
    defaultRefreshSeconds: 60,
    dataSource: { type: 'api', endpoint: '/api/dashboard/stats' },
  },
  activity: {
    type: 'activity',
    name: 'Activity',
    description: 'Completed and failed runs per hour or per day.',
    defaultSize: 'L',
    allowedSizes: ['M', 'L', 'XL'],
    defaultRefreshSeconds: 300,
    dataSource: { type: 'api', endpoint: '/api/dashboard/activity' },
  },
  'gateway-status': {
    type: 'gateway-status',
    name: 'Gateway status',
    description: 'Each gateway with its connection status and last error.',
    defaultSize: 'L',
    allowedSizes: ['S', 'M', 'L', 'XL'],
    defaultRefreshSeconds: 60,
    dataSource: { type: 'api', endpoint: '/api/gateways' },
  },
}

export const WidgetSettings = v.strictObject({
  /** Activity widget: the span of the chart. */
  range: v.optional(v.picklist(ACTIVITY_RANGES, 'Range must be 24h, 7d or 30d')),
})

export const Widget = v.pipe(
  v.strictObject({
    id: v.pipe(v.string('Widget id is required'), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Widget id must be 1-64 letters, digits, - or _')),
    type: v.picklist(WIDGET_TYPES, `Widget type must be one of ${WIDGET_TYPES.join(', ')}`),
    size: v.picklist(WIDGET_SIZES, 'Size must be S, M, L or XL'),
    refreshSeconds: v.pipe(
      v.number('Refresh interval must be a number of seconds'),
      v.integer('Refresh interval must be whole seconds'),
      v.check((n) => n === 0 || (n >= 10 && n <= 3600), 'Refresh interval must be 0 (off) or 10-3600 seconds'),
    ),
    settings: v.optional(WidgetSettings, {}),
  }),
  v.forward(
    v.check((w) => WIDGET_CATALOG[w.type].allowedSizes.includes(w.size), 'This widget cannot have that size'),
    ['size'],
  ),
)
export type DashboardWidget = v.InferOutput<typeof Widget>

export const DashboardLayoutBody = v.strictObject({
  widgets: v.pipe(
    v.array(Widget, 'Widgets must be a list'),
    v.maxLength(MAX_WIDGETS, `A dashboard holds at most ${MAX_WIDGETS} widgets`),
    v.check((ws) => new Set(ws.map((w) => w.id)).size === ws.length, 'Widget ids must be unique'),
  ),
})

/** Shown until the user saves a layout of their own. */
export const DEFAULT_WIDGETS: DashboardWidget[] = [
  { id: 'stats', type: 'stats', size: 'XL', refreshSeconds: 60, settings: {} },
  { id: 'activity', type: 'activity', size: 'L', refreshSeconds: 300, settings: { range: '24h' } },
  { id: 'gateways', type: 'gateway-status', size: 'L', refreshSeconds: 60, settings: {} },
]

/** The caller's offset from UTC in minutes (east positive), so "today" and day buckets are theirs. */
const UtcOffset = v.optional(
  v.pipe(v.string(), v.regex(/^-?\d{1,3}$/, 'utcOffset must be whole minutes'), v.transform(Number), v.minValue(-840), v.maxValue(840)),
  '0',
)

export const StatsQuery = v.strictObject({ utcOffset: UtcOffset })
export const ActivityQuery = v.strictObject({
  range: v.optional(v.picklist(ACTIVITY_RANGES, 'Range must be 24h, 7d or 30d'), '24h'),
  utcOffset: UtcOffset,
})

export interface PublicDashboardLayout {
  widgets: DashboardWidget[]
  /** True while the user has not saved a layout (the default is shown). */
  isDefault: boolean
  updatedAt: string | null
}

export interface DashboardStats {
  executionsToday: number
  executions7d: number
  /** Completed ÷ (completed + failed) over 7 days, 0..1; null without finished runs. */
  successRate7d: number | null
  activeWorkflows: number
  connectedGateways: number
  totalGateways: number
}

export interface ActivityPoint {
  /** Start of the bucket (ISO, UTC). */
  start: string
  completed: number
  failed: number
}

export interface ActivitySeries {
  range: ActivityRange
  bucket: 'hour' | 'day'
  points: ActivityPoint[]
}
