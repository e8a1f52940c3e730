import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executionSteps, executions, workspaces } from '../../edge-api/src/db/schema'
import { telegramWebhookSecret } from '../../edge-api/src/features/telegram/webhook-secret'
import { startOpenAiDouble } from '../doubles/openai.double'
import { startTelegramDouble } from '../doubles/telegram-bot-api.double'
import { autoReplyWorkflow, startPlatform, telegramUpdate, waitFor, type Platform } from './platform'

/**
 * Crash test (design.md, "Delivery promises"): SIGKILL the workspace runtime twice while runs are
 * in flight. Afterwards every run has completed (zero lost), no completed step ran again, and a
 * message was sent twice only where the record shows its step was in flight at a crash. Both ways
 * a runtime can run: runs on its main thread, and each run in a thread of its own (bulkheads).
 */
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'
const RUNS = 20
/** Which AI requests (counted across attempts) the runtime is killed during. */
const KILL_AT_AI_CALL = [3, 14]
describe.each(['inline', 'worker'] as const)('runtime with %s runs', (isolation) => {
  let telegram: Awaited<ReturnType<typeof startTelegramDouble>>
  let openai: Awaited<ReturnType<typeof startOpenAiDouble>>
  let platform: Platform
  let kills = 0

  async function killRuntime(): Promise<void> {
    const driver = platform.deps.workspaces as unknown as { pid(id: string): number | undefined }
    const [ws] = await platform.deps.db.select().from(workspaces)
    const pid = await waitFor('a running runtime', async () => driver.pid(ws!.id), 30_000)
    process.kill(pid, 'SIGKILL')
    kills++
  }

  beforeAll(async () => {
    telegram = await startTelegramDouble()
    openai = await startOpenAiDouble()
    // The runtime dies while an AI request is open, so a recorded step is surely in flight (killing
    // on a count of sent messages could land between runs and interrupt nothing). Slow answers keep
    // the other runs in flight too.
    let aiCalls = 0
    openai.setChatReply(async (body) => {
      aiCalls++
      if (KILL_AT_AI_CALL.includes(aiCalls)) await killRuntime()
      await new Promise((r) => setTimeout(r, 250))
      return `Echo: ${String(body.messages.at(-1)?.content)}`
    })
    platform = await startPlatform({ TELEGRAM_API_ROOT: telegram.apiRoot, WORKSPACE_LEASE_SECONDS: '5', WORKSPACE_ISOLATION: isolation })
  })
  afterAll(async () => {
    await platform?.stop()
    await telegram?.stop()
    await openai?.stop()
  })

  it('loses no run and repeats no completed step when the runtime is killed mid-run', async () => {
    const token = await platform.signUp()
    const botId = (await platform.call('POST', '/api/gateways', { type: 'TELEGRAM_BOT', name: 'Bot', config: {}, credentials: { botToken: BOT_TOKEN } }, token)).body.gateway.id as string
    const aiId = (await platform.call('POST', '/api/gateways', { type: 'AI', name: 'AI', config: { provider: 'CUSTOM', baseURL: openai.baseURL, model: 'm' }, credentials: {} }, token)).body.gateway.id as string
    await platform.call('POST', '/api/user/services', { name: 'Auto-reply', definition: autoReplyWorkflow(botId, aiId) }, token)
    const secret = await telegramWebhookSecret(platform.deps.secrets, botId)
    for (let i = 1; i <= RUNS; i++) {
      const res = await platform.call('POST', `/api/webhooks/telegram/${botId}`, telegramUpdate(i, 1000 + i, `question ${i}`), undefined, { 'x-telegram-bot-api-secret-token': secret })
      expect(res.body.executions).toBe(1)
    }

    const sends = () => telegram.calls.filter((c) => c.method === 'sendMessage')
    await waitFor('both kills', async () => kills === KILL_AT_AI_CALL.length, 60_000)

    const rows = await waitFor(
      'every run to finish',
      async () => {
        const all = await platform.deps.db.select().from(executions)
        return all.length === RUNS && all.every((e) => e.status === 'COMPLETED') && all
      },
      90_000,
      250,
    )
    expect(rows.some((e) => e.attempt > 1)).toBe(true)

    const steps = await platform.deps.db.select().from(executionSteps)
    for (const execution of rows) {
      const mine = steps.filter((s) => s.executionId === execution.id)
      for (const key of ['ai', 'reply']) {
        const attempts = mine.filter((s) => s.stepId === key)
        const completed = attempts.filter((s) => s.status === 'COMPLETED')
        // Exactly one completion, and no attempt of the step began after it.
        expect(completed).toHaveLength(1)
        expect(attempts.every((a) => a.startedAt.getTime() <= completed[0]!.startedAt.getTime())).toBe(true)
        // Every other attempt is on the record as interrupted or retried.
        expect(attempts.filter((a) => a !== completed[0]).every((a) => a.status === 'FAILED' && a.error)).toBe(true)
      }
      const chatId = 1000 + Number((execution.triggerData as { updateId: number }).updateId)
      const sent = sends().filter((c) => c.params.chat_id === chatId)
      const replyAttempts = mine.filter((s) => s.stepId === 'reply')
      expect(sent.length).toBeGreaterThanOrEqual(1)
      // A duplicate message only where the reply step was in flight at a crash (and so recorded twice).
      expect(sent.length).toBeLessThanOrEqual(replyAttempts.length)
    }
    // The crashes really interrupted steps, and those attempts are on the record.
    expect(steps.filter((s) => s.status === 'FAILED' && s.error?.startsWith('Interrupted')).length).toBeGreaterThan(0)
    expect(telegram.violations).toEqual([])
  })
})
