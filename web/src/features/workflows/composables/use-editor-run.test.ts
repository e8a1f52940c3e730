import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, type EffectScope } from 'vue'
import { anExecution, anExecutionStep, apiError, json, type Handler } from '../../../test/fake-server'
import { fakeNotify } from '../../../test/fake-notify'
import { workflowOnFakeServer } from '../../../test/workflow-on-fake-server'
import { TRIGGER_NODE_ID } from '../workflow-graph'
import { autoReplyTemplate } from '../workflow-templates'
import { useEditorDocument } from './use-editor-document'
import { useEditorRun } from './use-editor-run'
import { useLiveRun } from './use-live-run'
import { useTestListener } from './use-test-listener'

let scope: EffectScope | undefined
afterEach(() => scope?.stop())

/** The auto-reply workflow loaded in an editor whose runs follow executions by polling the fake API every 5 ms. */
async function editor(handlers: Record<string, Handler>) {
  const { server, api, store } = await workflowOnFakeServer(autoReplyTemplate('bot_1', 'ai_1'), handlers)
  const notify = fakeNotify()
  scope = effectScope()
  const { doc, run } = scope.run(() => {
    const doc = useEditorDocument({ store, notify })
    return { doc, run: useEditorRun({ serviceId: 'svc_1', store, doc, notify, live: useLiveRun(api, 5), listener: useTestListener(api, 5) }) }
  })!
  await doc.load()
  return { server, store, notify, doc, run }
}

/** Answers one after another, the last one again and again. */
const inTurn = (...answers: (() => Response)[]): Handler => () => (answers.length > 1 ? answers.shift()! : answers[0]!)()

const executionOf = (id: string, status: string, steps: ReturnType<typeof anExecutionStep>[]) => () => json({ execution: { ...anExecution({ id, status: status as never }), result: null }, steps })

describe('useEditorRun', () => {
  it('Run saves unsaved changes first, starts a dry run and follows it live until every node is done', async () => {
    const { run, store, server, notify } = await editor({
      'POST /api/user/services/svc_1/run': () => json({ execution: anExecution({ id: 'exe_1' }) }, 202),
      'GET /api/user/services/svc_1/executions/exe_1': inTurn(
        executionOf('exe_1', 'RUNNING', [anExecutionStep('ai', { text: 'Hi!' }), anExecutionStep('reply', undefined, { status: 'RUNNING', completedAt: null })]),
        executionOf('exe_1', 'COMPLETED', [anExecutionStep('ai', { text: 'Hi!' }), anExecutionStep('reply', { message_id: 7 })]),
      ),
    })
    const started = vi.fn()
    const changes: string[] = []
    run.onRunStarted(started)
    run.onRunChange((s) => changes.push(s.status ?? ''))
    store.addStep('delay')
    expect(run.nodeStatus(TRIGGER_NODE_ID)).toBeUndefined()

    const running = run.run()
    expect(run.running.value).toBe(true)
    await running
    expect(run.running.value).toBe(false)
    expect(server.requests.map((r) => `${r.method} ${r.path}`).slice(1, 3)).toEqual(['PATCH /api/user/services/svc_1', 'POST /api/user/services/svc_1/run'])
    expect(server.requests[2]!.body).toEqual({ input: {}, dryRun: true })
    expect(run.lastExecution.value).toEqual({ id: 'exe_1', mode: 'dry-run' })
    expect(started).toHaveBeenCalledWith({ id: 'exe_1', mode: 'dry-run' })
    expect(notify.success).toHaveBeenCalledWith('Dry run started.')
    // The trigger has fired once the run exists; it stays "running" while the run is pending.
    expect(run.nodeStatus(TRIGGER_NODE_ID)).toBe('running')

    await vi.waitFor(() => expect(run.ended.value).toBe(true))
    expect(run.state.value.status).toBe('COMPLETED')
    expect(changes.at(-1)).toBe('COMPLETED')
    for (const node of [TRIGGER_NODE_ID, 'ai', 'reply']) expect(run.nodeStatus(node)).toBe('done')
    expect(run.nodeStatus('delay')).toBeUndefined()
    expect(run.stepRun('reply')?.output).toEqual({ message_id: 7 })
    expect(run.earlierOutputs('reply')).toEqual({ ai: { text: 'Hi!' } })
  })

  it('a real run says so; a refused one shows the API error and follows nothing', async () => {
    const answers = [apiError(409, 'CONFLICT', 'The workflow is disabled'), json({ execution: anExecution({ id: 'exe_2', mode: 'run', status: 'FAILED' }) }, 202)]
    const { run, notify, server } = await editor({
      'POST /api/user/services/svc_1/run': () => answers.shift()!,
      'GET /api/user/services/svc_1/executions/exe_2': executionOf('exe_2', 'FAILED', [anExecutionStep('ai', null, { status: 'FAILED', error: 'The model is down' })]),
    })
    run.dryRun.value = false
    await run.run()
    expect(notify.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'CONFLICT', message: 'The workflow is disabled' }))
    expect(run.lastExecution.value).toBeNull()
    expect(run.running.value).toBe(false)

    await run.run()
    expect(server.requests.filter((r) => r.method === 'POST').at(-1)!.body).toEqual({ input: {}, dryRun: false })
    expect(notify.success).toHaveBeenCalledWith('Run started.')
    await vi.waitFor(() => expect(run.ended.value).toBe(true))
    expect(run.nodeStatus('ai')).toBe('failed')
    expect(run.stepRun('ai')?.error).toBe('The model is down')
  })

  it('"Test this step" runs one step with pinned input, and the pins stand in for the earlier outputs', async () => {
    const { run, server, notify } = await editor({
      'POST /api/user/services/svc_1/steps/reply/run': () => json({ execution: anExecution({ id: 'exe_3' }) }, 202),
      'GET /api/user/services/svc_1/executions/exe_3': executionOf('exe_3', 'COMPLETED', [anExecutionStep('reply', { would: 'send' })]),
    })
    const pinned = { trigger: { message: { text: 'hello', chat: { id: 1 } } }, outputs: { ai: { text: 'pinned' } } }
    await run.runStep('reply', pinned)
    expect(server.requests.find((r) => r.method === 'POST')).toMatchObject({ path: '/api/user/services/svc_1/steps/reply/run', body: { ...pinned, mode: 'dry-run' } })
    expect(run.lastExecution.value).toEqual({ id: 'exe_3', mode: 'dry-run', step: 'reply' })
    expect(run.lastTrigger.value).toEqual(pinned.trigger)
    expect(run.stepRunning.value).toBe(false)
    expect(notify.success).toHaveBeenCalledWith('Test run of reply started (dry run).')

    await vi.waitFor(() => expect(run.ended.value).toBe(true))
    expect(run.nodeStatus('reply')).toBe('done')
    // The earlier step did not run: its output was pinned.
    expect(run.nodeStatus('ai')).toBeUndefined()
    expect(run.earlierOutputs('reply')).toEqual({ ai: { text: 'pinned' } })
    expect(run.earlierOutputs(null)).toEqual({})
  })

  it('"Test with a message" waits for the bot\'s next message, then follows the run it started', async () => {
    const expiresAt = '2026-01-01T00:02:00.000Z'
    const event = { event: 'message', message: { text: 'hi', chat: { id: 5 } } }
    const { run } = await editor({
      'POST /api/user/services/svc_1/listen': () => json({ listener: { id: 'lis_1', gatewayId: 'bot_1', expiresAt, status: 'waiting' } }, 201),
      'GET /api/user/services/svc_1/listen/lis_1': inTurn(
        () => json({ listener: { id: 'lis_1', status: 'waiting', executionId: null, expiresAt } }),
        () => json({ listener: { id: 'lis_1', status: 'started', executionId: 'exe_4', expiresAt, trigger: event } }),
      ),
      'GET /api/user/services/svc_1/executions/exe_4': executionOf('exe_4', 'COMPLETED', [anExecutionStep('ai', { text: 'Hello!' }), anExecutionStep('reply', { message_id: 9 })]),
    })
    expect(run.canListen.value).toBe(true)
    await run.listen()
    expect(run.listenStatus.value).toBe('waiting')
    expect(run.listening.value).toBe(true)
    expect(run.listenUntil.value).toMatch(/\d/)

    await vi.waitFor(() => expect(run.lastExecution.value).toEqual({ id: 'exe_4', mode: 'run' }))
    expect(run.listening.value).toBe(false)
    expect(run.lastTrigger.value).toEqual(event)
    await vi.waitFor(() => expect(run.nodeStatus('reply')).toBe('done'))
    expect(run.earlierOutputs('reply')).toEqual({ ai: { text: 'Hello!' } })
  })

  it('stops waiting for a message on request; a workflow without an event trigger cannot listen', async () => {
    const { run, store, server } = await editor({
      'POST /api/user/services/svc_1/listen': () => json({ listener: { id: 'lis_1', gatewayId: 'bot_1', expiresAt: '2026-01-01T00:02:00.000Z', status: 'waiting' } }, 201),
    })
    await run.listen()
    run.stopListening()
    expect(run.listenStatus.value).toBe('idle')
    await new Promise((r) => setTimeout(r, 30))
    expect(server.requests.filter((r) => r.path.endsWith('/listen/lis_1'))).toHaveLength(0)

    store.setTrigger({ type: 'manual' })
    expect(run.canListen.value).toBe(false)
  })
})
