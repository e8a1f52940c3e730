import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useWidgetData } from './use-widget-data'

afterEach(() => vi.useRealTimers())

describe('useWidgetData', () => {
  it('loads at once, refreshes on its interval, follows interval changes and stops with its scope', async () => {
    vi.useFakeTimers()
    let calls = 0
    const interval = ref(30)
    const scope = effectScope()
    const widget = scope.run(() => useWidgetData(async () => ++calls, interval))!
    await vi.advanceTimersByTimeAsync(0)
    expect(widget.data.value).toBe(1)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(calls).toBe(2)
    interval.value = 0
    await nextTick()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(calls).toBe(2)
    interval.value = 10
    await nextTick()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls).toBe(3)
    scope.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toBe(3)
  })

  it('skips its turns while the tab is hidden', async () => {
    vi.useFakeTimers()
    let calls = 0
    const scope = effectScope()
    scope.run(() => useWidgetData(async () => ++calls, ref(30)))
    await vi.advanceTimersByTimeAsync(0)
    Object.defineProperty(document, 'hidden', { value: true, configurable: true })
    try {
      await vi.advanceTimersByTimeAsync(90_000)
      expect(calls).toBe(1)
    } finally {
      Object.defineProperty(document, 'hidden', { value: false, configurable: true })
    }
    await vi.advanceTimersByTimeAsync(30_000)
    expect(calls).toBe(2)
    scope.stop()
  })

  it('keeps the last data and reports the error when a refresh fails', async () => {
    let fail = false
    const scope = effectScope()
    const widget = scope.run(() =>
      useWidgetData(async () => {
        if (fail) throw new Error('The API is unreachable')
        return 'ok'
      }, ref(0)),
    )!
    await vi.waitFor(() => expect(widget.data.value).toBe('ok'))
    fail = true
    await widget.refresh()
    expect(widget.data.value).toBe('ok')
    expect(widget.error.value).toBe('The API is unreachable')
    scope.stop()
  })
})
