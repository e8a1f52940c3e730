import { describe, expect, it } from 'vitest'
import { aPlugin } from './plugin-fixtures'
import { checkSettings, initialSettings, needsSetup } from './plugin-settings'

describe('plugin settings', () => {
  it('starts from the defaults, or from the saved install', () => {
    expect(initialSettings(aPlugin())).toEqual({ config: { greeting: '', delay: 0, mention: true }, gateways: { TELEGRAM_BOT: '' } })
    const saved = initialSettings(aPlugin(), { config: { greeting: 'Hi', delay: 5, mention: false }, gatewayBindings: { TELEGRAM_BOT: 'gw_1' } })
    expect(saved).toEqual({ config: { greeting: 'Hi', delay: 5, mention: false }, gateways: { TELEGRAM_BOT: 'gw_1' } })
  })

  it('needs the form first for a required field without default or a gateway', () => {
    expect(needsSetup(aPlugin())).toBe(true)
    expect(needsSetup(aPlugin({ gateways: [] }))).toBe(true)
    expect(needsSetup(aPlugin({ gateways: [], configFields: [{ key: 'n', label: 'N', type: 'number', required: true, default: 3 }] }))).toBe(false)
    expect(needsSetup(aPlugin({ gateways: [], configFields: [] }))).toBe(false)
  })

  it('names each bad field the way the API does', () => {
    const values = initialSettings(aPlugin())
    expect(checkSettings(aPlugin(), values, { TELEGRAM_BOT: 'Telegram Bot' })).toEqual({
      ok: false,
      errors: { 'config.greeting': 'Greeting is required', 'gateways.TELEGRAM_BOT': 'Pick one of your Telegram Bot gateways' },
    })
    values.config.greeting = 'x'.repeat(21)
    expect(checkSettings(aPlugin(), values)).toMatchObject({ ok: false, errors: { 'config.greeting': 'Greeting is too long' } })
  })

  it('gives the body to send, empty optional fields left to their defaults', () => {
    const values = { config: { greeting: 'Hello', delay: null, mention: false }, gateways: { TELEGRAM_BOT: 'gw_1' } }
    expect(checkSettings(aPlugin(), values)).toEqual({ ok: true, body: { config: { greeting: 'Hello', delay: 0, mention: false }, gateways: { TELEGRAM_BOT: 'gw_1' } } })
  })
})
