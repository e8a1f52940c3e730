import { DEFAULT_WIDGETS, type ActivitySeries } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { gridStyle, moveWidget, newWidget, refreshLabel, shortRefreshLabel, updateWidget } from './dashboard-layout'
import { activityLabels, activityTotals, statCards } from './dashboard-numbers'

describe('dashboard layout helpers', () => {
  it('spans columns and rows by size', () => {
    expect(gridStyle('S')).toEqual({ gridColumn: 'span 1', gridRow: 'span 1' })
    expect(gridStyle('M')).toEqual({ gridColumn: 'span 2', gridRow: 'span 1' })
    expect(gridStyle('L')).toEqual({ gridColumn: 'span 2', gridRow: 'span 2' })
    expect(gridStyle('XL')).toEqual({ gridColumn: 'span 4', gridRow: 'span 2' })
  })

  it('makes new widgets with catalog defaults and unused ids', () => {
    const first = newWidget('activity', DEFAULT_WIDGETS)
    expect(first).toEqual({ id: 'activity-1', type: 'activity', size: 'L', refreshSeconds: 300, settings: { range: '24h' } })
    expect(newWidget('activity', [...DEFAULT_WIDGETS, first]).id).toBe('activity-2')
  })

  it('moves and updates without changing the input', () => {
    const list = ['a', 'b', 'c']
    expect(moveWidget(list, 0, 2)).toEqual(['b', 'c', 'a'])
    expect(moveWidget(list, 2, -5)).toEqual(['c', 'a', 'b'])
    expect(moveWidget(list, 7, 0)).toEqual(list)
    expect(list).toEqual(['a', 'b', 'c'])
    const updated = updateWidget(DEFAULT_WIDGETS, 'stats', { size: 'M' })
    expect(updated[0]!.size).toBe('M')
    expect(DEFAULT_WIDGETS[0]!.size).toBe('XL')
  })

  it('names refresh intervals', () => {
    expect(refreshLabel(0)).toBe('Off')
    expect(refreshLabel(30)).toBe('Every 30 s')
    expect(refreshLabel(60)).toBe('Every minute')
    expect(refreshLabel(900)).toBe('Every 15 minutes')
    expect(shortRefreshLabel(30)).toBe('30 s')
    expect(shortRefreshLabel(300)).toBe('5 min')
    expect(shortRefreshLabel(0)).toBe('')
  })
})

describe('dashboard numbers', () => {
  it('formats the stats tiles', () => {
    const cards = statCards({ executionsToday: 3, executions7d: 1200, successRate7d: 0.9876, activeWorkflows: 2, connectedGateways: 1, totalGateways: 3 })
    expect(Object.fromEntries(cards.map((c) => [c.key, c.value]))).toMatchObject({ success: '98.8%', gateways: '1 / 3', today: '3' })
    expect(statCards({ executionsToday: 0, executions7d: 0, successRate7d: null, activeWorkflows: 0, connectedGateways: 0, totalGateways: 0 })[2]!.value).toBe('—')
  })

  it('labels and totals an activity series', () => {
    const series: ActivitySeries = {
      range: '7d',
      bucket: 'day',
      points: [
        { start: '2026-01-01T00:00:00.000Z', completed: 2, failed: 1 },
        { start: '2026-01-02T00:00:00.000Z', completed: 3, failed: 0 },
      ],
    }
    expect(activityTotals(series)).toEqual({ completed: 5, failed: 1 })
    expect(activityLabels(series, 'en-US')).toHaveLength(2)
  })
})
