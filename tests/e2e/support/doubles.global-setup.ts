import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { startOpenAiDouble, type ChatRequestBody } from '../../doubles/openai.double'
import { startTelegramDouble } from '../../doubles/telegram-bot-api.double'
import { DOUBLES_CONTROL_PORT, OPENAI_API_KEY, OPENAI_DOUBLE_PORT, TELEGRAM_DOUBLE_PORT } from './doubles-ports'

/** What the assistant of the journey's shop answers; anything else is echoed, as the double does by default. */
const ANSWERS: [RegExp, string][] = [[/ship/i, 'Yes, we ship to Berlin: delivery takes 2–3 working days and is free on orders over €50.']]

function lastUserText(body: ChatRequestBody): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user')
  return typeof last?.content === 'string' ? last.content : ''
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {}
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * Starts the far ends for every e2e spec before the run: the Telegram Bot API double (the server
 * gets its address as TELEGRAM_API_ROOT, see playwright.config.ts), the OpenAI double (an AI gateway
 * points at it by its base URL) and a control server for the specs, which run in other processes:
 * `POST /telegram/updates` queues an update for the platform's long polling, `GET /telegram/calls`
 * lists the Bot API calls received with any contract violations, `GET /openai/requests` the AI calls.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const telegram = await startTelegramDouble({ port: TELEGRAM_DOUBLE_PORT })
  // A bot with a name a shop would give it, in the shape the double checks its answers against.
  telegram.setResult('getMe', (_p, call) => ({
    id: Number(call.token.split(':')[0]) || 1,
    is_bot: true,
    first_name: 'Acme Support',
    username: 'acme_support_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  }))
  const openai = await startOpenAiDouble({ port: OPENAI_DOUBLE_PORT, apiKey: OPENAI_API_KEY })
  openai.setChatReply((body) => {
    const text = lastUserText(body)
    return ANSWERS.find(([pattern]) => pattern.test(text))?.[1] ?? `Echo: ${text}`
  })

  const control = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://control')
      if (req.method === 'POST' && url.pathname === '/telegram/updates') return send(res, 201, { update: telegram.pushUpdate(await readJson(req)) })
      if (req.method === 'GET' && url.pathname === '/telegram/calls') return send(res, 200, { calls: telegram.calls, violations: telegram.violations })
      if (req.method === 'GET' && url.pathname === '/openai/requests') return send(res, 200, { requests: openai.requests.map((r) => ({ method: r.method, path: r.path, body: r.body })) })
      send(res, 404, { error: 'unknown control route' })
    })().catch((err: unknown) => send(res, 500, { error: String(err) }))
  })
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject)
    control.listen(DOUBLES_CONTROL_PORT, '127.0.0.1', resolve)
  })

  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()))
    await telegram.stop()
    await openai.stop()
  }
}
