import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseLocalEnv } from '../../edge-api/src/config/local-config'
import { startLocalServer } from '../../edge-api/src/local/local-server'
import { callJson } from '../support/json-call'

/**
 * The embedded platform exactly as `pnpm start` runs it (PGlite, runtime child processes, the
 * background reaper), on a free port with a fresh data folder.
 */
export async function startPlatform(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), '2bot-int-'))
  // Child processes unless a test asks for containers (tests/integration/workspaces).
  const config = parseLocalEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error', AUTH_RATE_LIMIT_PER_MINUTE: '10000', WORKSPACE_DRIVER: 'process', ...env })
  const server = await startLocalServer(config, { backgroundIntervalMs: 300 })
  const { url, runtime } = server

  const call = (method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) => callJson(url, method, path, body, token, headers)

  return {
    url,
    deps: runtime.deps,
    call,
    async signUp(email = `u${Date.now()}@example.com`) {
      const res = await call('POST', '/api/auth/register', { email, password: 'Integration-1!', tokenType: 'bearer' })
      if (res.status !== 201) throw new Error(`register: ${res.status}`)
      return res.body.token as string
    },
    async stop() {
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value) return value
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** An auto-reply bot: a Telegram message → AI chat → sendMessage back to the same chat. */
export function autoReplyWorkflow(botId: string, aiId: string) {
  return {
    trigger: { type: 'event', gatewayId: botId, event: 'message' },
    steps: [
      { id: 'ai', type: 'gateway', gatewayId: aiId, action: 'chat', params: { system: 'You answer customers briefly.', prompt: '{{ trigger.message.text }}' }, onError: 'retry', retry: { maxAttempts: 3, backoffMs: 200 } },
      { id: 'reply', type: 'gateway', gatewayId: botId, action: 'sendMessage', params: { chat_id: '{{ trigger.message.chat.id }}', text: '{{ steps.ai.output.text }}' } },
    ],
  }
}

export function telegramUpdate(updateId: number, chatId: number, text: string) {
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), text, chat: { id: chatId, type: 'private', first_name: 'Ann' }, from: { id: chatId, is_bot: false, first_name: 'Ann' } },
  }
}
