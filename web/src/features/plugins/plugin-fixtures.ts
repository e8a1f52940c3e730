import type { PublicInstalledPlugin, PublicPlugin } from '@2bot/contracts'

/** Test data: a catalog entry with a required text field, defaults and a Telegram bot gateway. */
export function aPlugin(overrides: Partial<PublicPlugin> = {}): PublicPlugin {
  return {
    slug: 'welcome-message',
    name: 'Welcome Message',
    description: 'Greets new members',
    category: 'Community',
    version: '1.0.0',
    author: '2Bot',
    icon: null,
    isOfficial: true,
    minPlanRequired: 'FREE',
    installCount: 12,
    actions: [{ name: 'greet', label: 'Greet a member', description: 'Sends the welcome text', params: [{ key: 'chatId', label: 'Chat id', type: 'string', required: true }] }],
    configFields: [
      { key: 'greeting', label: 'Greeting', type: 'text', required: true, maxLength: 20 },
      { key: 'delay', label: 'Delay', type: 'number', required: false, default: 0 },
      { key: 'mention', label: 'Mention the member', type: 'boolean', required: false, default: true },
    ],
    gateways: ['TELEGRAM_BOT'],
    ...overrides,
  }
}

export function anInstalled(overrides: Partial<PublicInstalledPlugin> = {}): PublicInstalledPlugin {
  return {
    ...aPlugin(),
    installId: 'ins_1',
    enabled: true,
    config: { greeting: 'Hello', delay: 0, mention: true },
    gatewayBindings: { TELEGRAM_BOT: 'gw_1' },
    stateBytes: 2048,
    installedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}
