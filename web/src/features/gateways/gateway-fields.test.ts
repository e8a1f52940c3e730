import { describe, expect, it } from 'vitest'
import { checkCreate, checkUpdate, initialValues } from './gateway-fields'

describe('gateway fields', () => {
  it('builds an AI body: an empty base URL is left out, but a custom provider needs one', () => {
    const values = { ...initialValues('AI'), name: 'GPT', 'config.model': 'gpt-4o-mini', 'credentials.apiKey': 'sk-1' }
    expect(checkCreate('AI', values)).toEqual({
      ok: true,
      body: { type: 'AI', name: 'GPT', config: { provider: 'OPENAI', model: 'gpt-4o-mini' }, credentials: { apiKey: 'sk-1' } },
    })
    expect(checkCreate('AI', { ...values, 'config.provider': 'CUSTOM' })).toEqual({ ok: false, errors: { 'config.baseURL': 'A custom provider needs its base URL' } })
  })

  it('sends only the fields of the chosen webhook auth variant', () => {
    const values = { ...initialValues('WEBHOOK'), name: 'CRM', 'config.baseUrl': 'https://crm.example.com', 'credentials.token': 'left over' }
    const none = checkCreate('WEBHOOK', values)
    expect(none.ok && none.body.credentials).toEqual({ authType: 'none' })
    const header = checkCreate('WEBHOOK', { ...values, 'credentials.authType': 'header', 'credentials.headerName': 'bad name!' })
    expect(header).toEqual({ ok: false, errors: { 'credentials.headerName': 'Not a valid header name', 'credentials.value': expect.any(String) } })
  })

  it('edits keep the saved config and send credentials only when replaced', () => {
    const gateway = { id: 'gw_1', type: 'TELEGRAM_BOT' as const, name: 'Bot', config: { username: 'my_bot' }, status: 'CONNECTED' as const, lastActive: null, lastError: null, createdAt: '' }
    const values = initialValues('TELEGRAM_BOT', gateway)
    expect(checkUpdate(gateway, { ...values, name: 'Renamed' }, false)).toEqual({ ok: true, body: { name: 'Renamed', config: { username: 'my_bot' } } })
    expect(checkUpdate(gateway, values, true)).toMatchObject({ ok: false, errors: { 'credentials.botToken': expect.any(String) } })
  })
})
