import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { DEEP_LINK_SCHEMES } from '../main/deep-link'
import { resolveAppPaths } from '../main/paths'

// The packaging config checked against electron-builder's own JSON schema and validator (the
// installed electron-builder, not a copy), so a typo fails here rather than on a release machine.
const desktopDir = fileURLToPath(new URL('../../', import.meta.url))
const config = JSON.parse(readFileSync(path.join(desktopDir, 'electron-builder.json'), 'utf8'))
const pkg = JSON.parse(readFileSync(path.join(desktopDir, 'package.json'), 'utf8'))

// app-builder-lib is electron-builder's dependency, not ours: resolve it from there (pnpm is strict).
const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'))
const schema = fromBuilder('app-builder-lib/scheme.json')
const { validateConfiguration } = fromBuilder('app-builder-lib/out/util/config/config.js')
const { expandMacro } = fromBuilder('app-builder-lib/out/util/macroExpander.js')

// strict: false because the schema uses keywords ajv does not know (it is generated from TypeScript).
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)

function schemaErrors(candidate: unknown) {
  return validate(candidate) ? [] : [...(validate.errors ?? [])]
}

const noDebug = { isEnabled: false, add: () => undefined }

describe('electron-builder.json', () => {
  it('matches app-builder-lib/scheme.json', () => {
    expect(schemaErrors(config)).toEqual([])
  })

  it("passes electron-builder's own validation", async () => {
    await expect(validateConfiguration(structuredClone(config), noDebug)).resolves.toBeUndefined()
  })

  it('is really checked: typos and wrong types are rejected', async () => {
    expect(schemaErrors({ ...config, linux: { ...config.linux, targets: ['AppImage'] } })).not.toEqual([])
    expect(schemaErrors({ ...config, nsis: { ...config.nsis, oneClick: 'sometimes' } })).not.toEqual([])
    expect(schemaErrors({ ...config, publish: [{ provider: 'ftp', url: 'x' }] })).not.toEqual([])
    await expect(validateConfiguration({ ...config, autoUpdate: true }, noDebug)).rejects.toThrow(/Invalid configuration/)
  })

  it('builds AppImage and deb for Linux, nsis for Windows, dmg for macOS (plus the zip Squirrel.Mac updates from)', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.win.target.map((t: { target: string }) => t.target)).toEqual(['nsis'])
    expect(config.mac.target.map((t: { target: string }) => t.target)).toEqual(['dmg', 'zip'])
  })

  it('publishes to a generic server whose URL comes from TWOBOT_UPDATE_URL at build time', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.TWOBOT_UPDATE_URL}', channel: 'latest' }])
    const appInfo = { productName: '2Bot', sanitizedProductName: '2Bot', version: '0.1.0' }
    const saved = process.env.TWOBOT_UPDATE_URL
    try {
      process.env.TWOBOT_UPDATE_URL = 'https://updates.2bot.dev/desktop'
      expect(expandMacro(config.publish[0].url, 'x64', appInfo)).toBe('https://updates.2bot.dev/desktop')
      delete process.env.TWOBOT_UPDATE_URL
      expect(() => expandMacro(config.publish[0].url, 'x64', appInfo)).toThrow(/TWOBOT_UPDATE_URL is not defined/)
    } finally {
      if (saved === undefined) delete process.env.TWOBOT_UPDATE_URL
      else process.env.TWOBOT_UPDATE_URL = saved
    }
  })

  it('registers the deep-link schemes the main process handles', () => {
    expect(config.protocols).toEqual([{ name: '2Bot link', schemes: [...DEEP_LINK_SCHEMES] }])
  })

  it('packs the bundles package.json points at, and puts resources where the packaged app looks', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/main/**/*', 'dist/preload/**/*', 'package.json']))
    expect(pkg.main).toBe('dist/main/main.js')
    const packaged = resolveAppPaths({ mainDir: '/r/app.asar/dist/main', isPackaged: true, resourcesPath: '/r' })
    const to = (from: string) => config.extraResources.find((r: { from: string }) => r.from === from)?.to
    expect(path.join('/r', to('../web/dist'))).toBe(packaged.webDist)
    expect(path.join('/r', to('assets'), 'tray.png')).toBe(packaged.trayIcon)
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon, 'assets/tray.png', 'assets/tray@2x.png']) {
      expect(existsSync(path.join(desktopDir, icon))).toBe(true)
    }
  })
})
