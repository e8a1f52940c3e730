import { describe, expect, it } from 'vitest'
import { ConfigError, DEFAULT_API_BASE_URL, parseConfig } from './config'

describe('parseConfig', () => {
  it('defaults to the local API', () => {
    expect(parseConfig({})).toEqual({ apiBaseUrl: DEFAULT_API_BASE_URL })
    expect(parseConfig({ TWOBOT_API_URL: '  ' }).apiBaseUrl).toBe('http://127.0.0.1:8080')
  })

  it('accepts https anywhere and drops the trailing slash', () => {
    expect(parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/' }).apiBaseUrl).toBe('https://api.2bot.dev')
    expect(parseConfig({ TWOBOT_API_URL: 'https://2bot.dev/api/' }).apiBaseUrl).toBe('https://2bot.dev/api')
  })

  it('accepts plain http only on this machine', () => {
    expect(parseConfig({ TWOBOT_API_URL: 'http://localhost:3000' }).apiBaseUrl).toBe('http://localhost:3000')
    expect(parseConfig({ TWOBOT_API_URL: 'http://[::1]:8080' }).apiBaseUrl).toBe('http://[::1]:8080')
    expect(() => parseConfig({ TWOBOT_API_URL: 'http://api.2bot.dev' })).toThrow(/https/)
  })

  it.each(['not a url', 'ftp://api.2bot.dev', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'rejects %s',
    (value) => {
      expect(() => parseConfig({ TWOBOT_API_URL: value })).toThrow(ConfigError)
    },
  )

  it('rejects credentials, queries and fragments', () => {
    expect(() => parseConfig({ TWOBOT_API_URL: 'https://user:pw@api.2bot.dev' })).toThrow(ConfigError)
    expect(() => parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/?x=1' })).toThrow(ConfigError)
    expect(() => parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/#x' })).toThrow(ConfigError)
  })
})
