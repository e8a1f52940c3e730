import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSettingsStore, defaultSettings, parseSettings } from './settings'

describe('settings', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), '2bot-settings-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('closes to the tray by default except on Linux', () => {
    expect(defaultSettings('win32').closeToTray).toBe(true)
    expect(defaultSettings('darwin').closeToTray).toBe(true)
    expect(defaultSettings('linux').closeToTray).toBe(false)
  })

  it('keeps valid fields and ignores the rest', () => {
    const defaults = defaultSettings('win32')
    expect(parseSettings({ closeToTray: false, serverUrl: ' https://cloud.2bot.dev/ ', extra: 1 }, defaults)).toEqual({
      closeToTray: false,
      serverUrl: 'https://cloud.2bot.dev/',
    })
    expect(parseSettings({ closeToTray: 'no', serverUrl: 42 }, defaults)).toEqual(defaults)
    expect(parseSettings('garbage', defaults)).toEqual(defaults)
  })

  it('persists updates and reads them back in a new store', () => {
    const file = path.join(dir, 'sub', 'settings.json')
    const store = createSettingsStore({ file, platform: 'win32' })
    expect(store.get()).toEqual({ closeToTray: true })
    expect(store.update({ closeToTray: false })).toEqual({ closeToTray: false })
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ closeToTray: false })
    expect(createSettingsStore({ file, platform: 'win32' }).get()).toEqual({ closeToTray: false })
  })

  it('falls back to the defaults for an unreadable file', () => {
    const file = path.join(dir, 'settings.json')
    writeFileSync(file, '{oops')
    expect(createSettingsStore({ file, platform: 'linux' }).get()).toEqual({ closeToTray: false })
  })
})
