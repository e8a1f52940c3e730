import { DOUBLES_CONTROL_URL } from './doubles-ports'

export interface TelegramCall {
  token: string
  method: string
  params: Record<string, unknown>
  status: number
}

/** A private chat message from a customer, as Telegram delivers it in an Update. */
export function customerMessage(chatId: number, text: string, firstName = 'Lena') {
  const from = { id: chatId, is_bot: false, first_name: firstName }
  return { message: { message_id: Math.floor(Math.random() * 1e6) + 1, date: Math.floor(Date.now() / 1000), text, chat: { id: chatId, type: 'private', first_name: firstName }, from } }
}

/** Queues an update in the Telegram double; the platform's long polling picks it up. */
export async function pushTelegramUpdate(update: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${DOUBLES_CONTROL_URL}/telegram/updates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(update) })
  if (res.status !== 201) throw new Error(`pushing a Telegram update failed: ${res.status} ${await res.text()}`)
}

/** The Bot API calls the double received so far, and the contract breaches it saw. */
export async function telegramCalls(): Promise<{ calls: TelegramCall[]; violations: { kind: string; method: string; message: string }[] }> {
  const res = await fetch(`${DOUBLES_CONTROL_URL}/telegram/calls`)
  return (await res.json()) as Awaited<ReturnType<typeof telegramCalls>>
}

/** The requests the OpenAI double received so far. */
export async function openAiRequests(): Promise<{ method: string; path: string; body: unknown }[]> {
  const res = await fetch(`${DOUBLES_CONTROL_URL}/openai/requests`)
  return ((await res.json()) as { requests: { method: string; path: string; body: unknown }[] }).requests
}
