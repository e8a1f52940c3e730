import type { PublicExecution, PublicExecutionStep } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { dayRangeQuery, formatDuration, formatTrigger, useExecutionsStore } from './executions.store'

function anExecution(overrides: Partial<PublicExecution> = {}): PublicExecution {
  return {
    id: 'exe_1',
    serviceId: 'svc_1',
    serviceVersion: 3,
    status: 'COMPLETED',
    mode: 'run',
    triggeredBy: 'manual',
    attempt: 1,
    error: null,
    errorKind: null,
    deadLetter: false,
    tokensUsed: 42,
    createdAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:01.000Z',
    completedAt: '2026-01-01T10:00:03.500Z',
    ...overrides,
  }
}

function aStep(overrides: Partial<PublicExecutionStep> = {}): PublicExecutionStep {
  return { key: 'fetch', lease: 1, attempt: 1, status: 'COMPLETED', output: { text: 'hi' }, error: null, errorKind: null, startedAt: '2026-01-01T10:00:01.000Z', completedAt: '2026-01-01T10:00:02.000Z', durationMs: 1000, ...overrides }
}

async function setup(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(handlers)
  testApp(await apiOn(server.fetch, '2bot_csrf=tok'))
  return { server, store: useExecutionsStore() }
}

describe('executions store', () => {
  it('lists with the filters as query and derives duration and activity', async () => {
    const { server, store } = await setup({
      'GET /api/user/services/svc_1/executions': () =>
        json({ executions: [anExecution(), anExecution({ id: 'exe_2', status: 'RUNNING', completedAt: null }), anExecution({ id: 'exe_3', status: 'PENDING', startedAt: null, completedAt: null })] }),
    })
    await store.load('svc_1', { status: 'FAILED', trigger: ' telegram ' })
    const url = (server.fetch as unknown as { mock: { calls: [string][] } }).mock.calls[0]![0]
    expect(new URL(url, 'http://x').searchParams.toString()).toBe('status=FAILED&trigger=telegram')
    expect(store.executions.map((e) => [e.id, e.durationMs, e.active])).toEqual([
      ['exe_1', 2500, false],
      ['exe_2', null, true],
      ['exe_3', null, true],
    ])
    expect(store.executions[0]).toMatchObject({ tokensUsed: 42, triggeredBy: 'manual' })
  })

  it('asks for a range of whole local days: from the start of the first to the start of the day after the last', async () => {
    const { server, store } = await setup({ 'GET /api/user/services/svc_1/executions': () => json({ executions: [] }) })
    const first = new Date(2026, 0, 5, 15, 30).getTime()
    const last = new Date(2026, 0, 7, 9, 0).getTime()
    await store.load('svc_1', { days: [first, last] })
    const url = (server.fetch as unknown as { mock: { calls: [string][] } }).mock.calls[0]![0]
    const params = new URL(url, 'http://x').searchParams
    expect(params.get('after')).toBe(new Date(2026, 0, 5).toISOString())
    expect(params.get('before')).toBe(new Date(2026, 0, 8).toISOString())
    expect(dayRangeQuery([last, last])).toEqual({ after: new Date(2026, 0, 7).toISOString(), before: new Date(2026, 0, 8).toISOString() })
  })

  it('keeps an execution opened by a link when the list of its service arrives after it', async () => {
    const { store } = await setup({
      'GET /api/user/services/svc_1/executions': () => json({ executions: [anExecution()] }),
      'GET /api/user/services/svc_1/executions/exe_1': () => json({ execution: { ...anExecution(), result: null }, steps: [aStep()] }),
      'GET /api/user/services/svc_2/executions': () => json({ executions: [] }),
    })
    await store.loadDetail('svc_1', 'exe_1')
    await store.load('svc_1')
    expect(store.detail?.execution.id).toBe('exe_1')
    // Opening another service's runs closes the one from before.
    await store.load('svc_2')
    expect(store.detail).toBeNull()
  })

  it('loads one execution with its steps and finds the failed step', async () => {
    const { store } = await setup({
      'GET /api/user/services/svc_1/executions': () => json({ executions: [anExecution({ status: 'RUNNING', completedAt: null })] }),
      'GET /api/user/services/svc_1/executions/exe_1': () =>
        json({
          execution: { ...anExecution({ status: 'FAILED', error: 'Boom', errorKind: 'USER' }), result: null },
          steps: [aStep(), aStep({ key: 'send', status: 'FAILED', error: 'Boom', output: null, durationMs: 20 })],
        }),
    })
    await store.load('svc_1')
    const detail = await store.loadDetail('svc_1', 'exe_1')
    expect(detail.failedStep).toBe('send')
    expect(detail.steps.map((s) => [s.key, s.status])).toEqual([
      ['fetch', 'COMPLETED'],
      ['send', 'FAILED'],
    ])
    expect(detail.execution).toMatchObject({ status: 'FAILED', error: 'Boom', durationMs: 2500, active: false, result: null })
    // The list row follows what the detail read.
    expect(store.executions[0]!.status).toBe('FAILED')
  })

  it('retries (new execution on top) and cancels (row updated)', async () => {
    const { server, store } = await setup({
      'GET /api/user/services/svc_1/executions': () => json({ executions: [anExecution({ status: 'FAILED' }), anExecution({ id: 'exe_0', status: 'RUNNING', completedAt: null })] }),
      'POST /api/user/services/svc_1/executions/exe_1/retry': () => json({ execution: anExecution({ id: 'exe_9', status: 'PENDING', startedAt: null, completedAt: null, attempt: 2 }) }, 202),
      'POST /api/user/services/svc_1/executions/exe_0/cancel': () => json({ execution: anExecution({ id: 'exe_0', status: 'CANCELLED' }) }),
    })
    await store.load('svc_1')
    const next = await store.retry('svc_1', 'exe_1', 'failed-step')
    expect(next).toMatchObject({ id: 'exe_9', active: true, durationMs: null })
    expect(server.requests.find((r) => r.path.endsWith('/retry'))!.body).toEqual({ from: 'failed-step' })
    await store.cancel('svc_1', 'exe_0')
    expect(store.executions.map((e) => [e.id, e.status])).toEqual([
      ['exe_9', 'PENDING'],
      ['exe_1', 'FAILED'],
      ['exe_0', 'CANCELLED'],
    ])
  })

  it('names what started a run for people', () => {
    expect(formatTrigger('event:gw_1', { gw_1: 'Support bot' })).toBe('message to Support bot')
    expect(formatTrigger('event:gw_gone')).toBe('gateway event')
    expect(formatTrigger('retry:event:gw_1', { gw_1: 'Support bot' })).toBe('retry of message to Support bot')
    expect(formatTrigger('webhook')).toBe('webhook')
  })

  it('formats durations for people', () => {
    expect([formatDuration(null), formatDuration(850), formatDuration(2300), formatDuration(65_000)]).toEqual(['—', '850 ms', '2.3 s', '1 min 5 s'])
  })
})
