import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig, type DesktopConfig } from './config'

const apiBaseUrl = (config: DesktopConfig) => (config.server === 'remote' ? config.apiBaseUrl : null)

describe('parseConfig', () => {
  it('starts the embedded server when no server is configured', () => {
    expect(parseConfig({})).toEqual({ server: 'embedded' })
    expect(parseConfig({ TWOBOT_API_URL: '  ' })).toEqual({ server: 'embedded' })
  })

  it('uses the serverUrl setting, and TWOBOT_API_URL over it', () => {
    expect(parseConfig({}, { serverUrl: 'https://cloud.2bot.dev/' })).toEqual({ server: 'remote', apiBaseUrl: 'https://cloud.2bot.dev' })
    expect(parseConfig({ TWOBOT_API_URL: 'http://localhost:3000' }, { serverUrl: 'https://cloud.2bot.dev' })).toEqual({
      server: 'remote',
      apiBaseUrl: 'http://localhost:3000',
    })
    expect(() => parseConfig({}, { serverUrl: 'http://cloud.2bot.dev' })).toThrow(/serverUrl must use https/)
  })

  it('accepts https anywhere and drops the trailing slash', () => {
    expect(apiBaseUrl(parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/' }))).toBe('https://api.2bot.dev')
    expect(apiBaseUrl(parseConfig({ TWOBOT_API_URL: 'https://2bot.dev/api/' }))).toBe('https://2bot.dev/api')
  })

  it('accepts plain http only on this machine', () => {
    expect(apiBaseUrl(parseConfig({ TWOBOT_API_URL: 'http://localhost:3000' }))).toBe('http://localhost:3000')
    expect(apiBaseUrl(parseConfig({ TWOBOT_API_URL: 'http://[::1]:8080' }))).toBe('http://[::1]:8080')
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
