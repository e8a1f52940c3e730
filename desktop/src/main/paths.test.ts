import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { resolveAppPaths } from './paths'

const desktopDir = fileURLToPath(new URL('../../', import.meta.url))

describe('resolveAppPaths', () => {
  it('finds the checkout from the bundle in desktop/dist/main', () => {
    const paths = resolveAppPaths({ mainDir: path.join(desktopDir, 'dist/main'), isPackaged: false, resourcesPath: '/nope' })
    expect(paths.repoRoot).toBe(path.resolve(desktopDir, '..'))
    expect(existsSync(path.join(paths.repoRoot!, 'edge-api/src/local.ts'))).toBe(true)
    expect(existsSync(paths.trayIcon)).toBe(true)
    expect(paths.webDist).toBe(path.resolve(desktopDir, '../web/dist'))
    expect(paths.preload).toBe(path.join(desktopDir, 'dist/preload/preload.cjs'))
  })

  it('uses the resources folder in a packaged build, with no embedded server source', () => {
    const paths = resolveAppPaths({ mainDir: '/opt/2Bot/resources/app.asar/dist/main', isPackaged: true, resourcesPath: '/opt/2Bot/resources' })
    expect(paths).toEqual({
      preload: '/opt/2Bot/resources/app.asar/dist/preload/preload.cjs',
      webDist: '/opt/2Bot/resources/web',
      trayIcon: '/opt/2Bot/resources/assets/tray.png',
      repoRoot: null,
    })
  })
})
