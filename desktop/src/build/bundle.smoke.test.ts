import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'

// Builds the real main bundle (as `pnpm build:main` does) and runs it under plain Node with
// `electron` swapped for a recording stub: proves the bundle loads (ESM, electron-updater
// interop) and wires everything, short of a real Electron binary.
const desktopDir = fileURLToPath(new URL('../../', import.meta.url))
const bundle = path.join(desktopDir, 'dist/main/main.js')

const run = (args: string[], env: Record<string, string | undefined>) =>
  promisify(execFile)(process.execPath, ['--import', path.join(desktopDir, 'src/build/smoke/register.mjs'), bundle, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 90_000,
  }).then(({ stdout }) => Object.assign({}, ...stdout.trim().split('\n').map((line) => JSON.parse(line))))

describe('main bundle under Node with a stub electron', () => {
  beforeAll(async () => {
    await build({
      entryPoints: [path.join(desktopDir, 'src/main/main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      external: ['electron', 'electron-updater'],
      outfile: bundle,
      logLevel: 'silent',
    })
  })

  it('boots against a configured server, registers everything and answers the page', async () => {
    const log = await run(['--some-chromium-switch', '2bot://workflows/abc'], { TWOBOT_API_URL: 'https://api.2bot.dev' })
    expect(log.privilegedSchemes).toEqual(['app'])
    expect(log.enableSandbox).toBe(true)
    expect(log.window).toMatchObject({ width: 1280, height: 800, sandbox: true, preload: path.join(desktopDir, 'dist/preload/preload.cjs') })
    expect(log.loadURL).toBe('app://2bot/')
    expect(log.trayIcon).toBe(path.join(desktopDir, 'assets/tray.png'))
    expect(log.trayMenu).toContain('run-workflow')
    expect(log.channels).toHaveLength(5)
    expect(log.apiBaseUrl).toBe('https://api.2bot.dev')
    expect(log.pendingRoute).toBe('/workflows/abc')
    expect(log.tokenRoundTrip).toBe('tok_smoke_123')
    expect(log.appProtocol.csp).toContain("connect-src 'self' https://api.2bot.dev")
    expect([200, 404]).toContain(log.appProtocol.status) // 404 when web/dist is not built
    expect(log.exit).toBeUndefined()
    expect(log.errorBox).toBeUndefined()
    expect(log.quitHeldForCleanup).toBe(false)
  }, 30_000)

  it('boots with the embedded server (real edge-api), which the page can call, and stops it on quit', async () => {
    const log = await run([], { SMOKE_CALL_API: '1', TWOBOT_NODE: process.execPath })
    expect(log.errorBox).toBeUndefined()
    expect(log.apiBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // The page loads before the server has a port, so the CSP allows loopback on any port.
    expect(log.appProtocol.csp).toContain("connect-src 'self' http://127.0.0.1:*;")
    expect(log.apiReady).toBe(200)
    expect(log.apiCors).toBe('app://2bot')
    expect(log.quitHeldForCleanup).toBe(true)
    expect(log.quit).toBe(true)
  }, 90_000)
})
