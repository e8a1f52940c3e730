import type { BuiltinPlugin } from './builtin-plugin'

/** Greets a new member through the user's Telegram bot, with a template the user sets. */
export const welcomeMessage: BuiltinPlugin = {
  slug: 'welcome-message',
  name: 'Welcome Message',
  description: 'Greets new members of a chat through your Telegram bot, with your own template.',
  category: 'Communication',
  version: '1.0.0',
  manifest: {
    gateways: ['TELEGRAM_BOT'],
    configFields: [
      { key: 'template', label: 'Greeting', type: 'text', required: true, default: 'Welcome, {name}! 👋', maxLength: 1000, description: '{name} becomes the member’s first name.' },
    ],
    actions: [
      {
        name: 'greet',
        label: 'Greet a member',
        description: 'Sends the greeting to the chat and counts greetings.',
        params: [
          { key: 'chatId', label: 'Chat id', type: 'string', required: true },
          { key: 'name', label: 'Member name', type: 'string', required: false },
        ],
      },
      { name: 'stats', label: 'Greetings sent', description: 'How many members were greeted.', params: [] },
    ],
    source: `
export async function greet(params, ctx) {
  const name = String(params.name || 'there')
  const text = String(ctx.config.template).split('{name}').join(name)
  const sent = await ctx.gateway('TELEGRAM_BOT', 'sendMessage', { chat_id: params.chatId, text })
  const greeted = ((await ctx.storage.get('greeted')) || 0) + 1
  await ctx.storage.set('greeted', greeted)
  return { text, greeted, messageId: sent && sent.message_id }
}

export async function stats(params, ctx) {
  return { greeted: (await ctx.storage.get('greeted')) || 0 }
}
`,
  },
}
