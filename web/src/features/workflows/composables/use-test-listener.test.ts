import { describe, expect, it, vi } from 'vitest'
import { apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { useTestListener } from './use-test-listener'

const LISTEN = 'POST /api/user/services/svc_1/listen'
const POLL = 'GET /api/user/services/svc_1/listen/lis_1'
const waiting = { listener: { id: 'lis_1', gatewayId: 'gw_bot', expiresAt: '2026-01-01T00:02:00.000Z', status: 'waiting' } }

describe('useTestListener', () => {
  it('waits on the listener and hands over the execution the event started', async () => {
    const answers = [json({ listener: { id: 'lis_1', status: 'waiting', executionId: null, expiresAt: waiting.listener.expiresAt } }), json({ listener: { id: 'lis_1', status: 'started', executionId: 'exe_9', expiresAt: waiting.listener.expiresAt, trigger: { event: 'message', message: { text: 'hi' } } } })]
    const server = fakeServer({ [LISTEN]: () => json(waiting, 201), [POLL]: () => answers.shift()! })
    const listener = useTestListener(await apiOn(server.fetch, '2bot_csrf=tok'), 5)
    const started = vi.fn()

    await listener.start('svc_1', started)
    expect(listener.state.value).toEqual({ status: 'waiting', listenerId: 'lis_1', expiresAt: waiting.listener.expiresAt })
    await vi.waitFor(() => expect(started).toHaveBeenCalledWith('exe_9', { event: 'message', message: { text: 'hi' } }))
    expect(listener.state.value).toEqual({ status: 'started', executionId: 'exe_9' })
    expect(server.requests.filter((r) => r.path.endsWith('/listen/lis_1'))).toHaveLength(2)
  })

  it('reports an expired listener and stops polling', async () => {
    const server = fakeServer({ [LISTEN]: () => json(waiting, 201), [POLL]: () => json({ listener: { id: 'lis_1', status: 'expired', executionId: null, expiresAt: waiting.listener.expiresAt } }) })
    const listener = useTestListener(await apiOn(server.fetch, '2bot_csrf=tok'), 5)
    const started = vi.fn()
    await listener.start('svc_1', started)
    await vi.waitFor(() => expect(listener.state.value.status).toBe('expired'))
    await new Promise((r) => setTimeout(r, 30))
    expect(server.requests.filter((r) => r.path.endsWith('/listen/lis_1'))).toHaveLength(1)
    expect(started).not.toHaveBeenCalled()
  })

  it('cancel stops the wait; a refused listen (not an event trigger) throws the API error', async () => {
    const server = fakeServer({ [LISTEN]: () => json(waiting, 201), [POLL]: () => json({ listener: { id: 'lis_1', status: 'started', executionId: 'exe_9', expiresAt: waiting.listener.expiresAt } }) })
    const listener = useTestListener(await apiOn(server.fetch, '2bot_csrf=tok'), 20)
    const started = vi.fn()
    await listener.start('svc_1', started)
    listener.cancel()
    await new Promise((r) => setTimeout(r, 60))
    expect(started).not.toHaveBeenCalled()
    expect(listener.state.value).toEqual({ status: 'idle' })

    const refusing = fakeServer({ [LISTEN]: () => apiError(409, 'CONFLICT', 'Only workflows started by a gateway event can listen for a test event; use run instead') })
    const other = useTestListener(await apiOn(refusing.fetch, '2bot_csrf=tok'), 5)
    await expect(other.start('svc_1', started)).rejects.toThrow(/gateway event/)
    expect(other.state.value).toEqual({ status: 'idle' })
  })
})
