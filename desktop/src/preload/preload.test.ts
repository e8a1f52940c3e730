import { beforeEach, describe, expect, it, vi } from 'vitest'
import { BRIDGE_KEY, BRIDGE_KEYS, channels, events, type TwoBotDesktopBridge } from '../shared/channels'
import { isAppRoute, readVersion } from './bridge'

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
}))
vi.mock('electron', () => electron)

async function loadBridge(argv = ['electron', '--twobot-version=1.2.3']): Promise<TwoBotDesktopBridge> {
  vi.resetModules()
  electron.contextBridge.exposeInMainWorld.mockClear()
  electron.ipcRenderer.invoke.mockReset().mockResolvedValue(undefined)
  electron.ipcRenderer.on.mockReset()
  electron.ipcRenderer.removeListener.mockReset()
  const original = process.argv
  process.argv = argv
  try {
    await import('./preload')
  } finally {
    process.argv = original
  }
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
  const [key, bridge] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, TwoBotDesktopBridge]
  expect(key).toBe(BRIDGE_KEY)
  return bridge
}

describe('preload', () => {
  let bridge: TwoBotDesktopBridge
  beforeEach(async () => {
    bridge = await loadBridge()
  })

  it('exposes exactly the bridge keys as window.twoBotDesktop', () => {
    expect(BRIDGE_KEY).toBe('twoBotDesktop')
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS].sort())
    expect(bridge.platform).toBe('desktop')
    expect(bridge.version).toBe('1.2.3')
  })

  it('never exposes ipcRenderer or anything that is not data or a function', () => {
    for (const value of Object.values(bridge)) {
      expect(value).not.toBe(electron.ipcRenderer)
      expect(['string', 'function']).toContain(typeof value)
    }
  })

  it('maps each function to its own channel and forwards only the documented arguments', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce('http://127.0.0.1:8080')
    await expect(bridge.getApiBaseUrl()).resolves.toBe('http://127.0.0.1:8080')
    electron.ipcRenderer.invoke.mockResolvedValueOnce(null)
    await expect(bridge.getToken()).resolves.toBeNull()
    await bridge.setToken('tok_123')
    await bridge.clearToken()
    // The page cannot smuggle extra arguments through a bridge function.
    await (bridge.clearToken as (...args: unknown[]) => Promise<void>)('extra')

    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      [channels.getApiBaseUrl],
      [channels.getToken],
      [channels.setToken, 'tok_123'],
      [channels.clearToken],
      [channels.clearToken],
    ])
  })
})

describe('push events', () => {
  let bridge: TwoBotDesktopBridge
  beforeEach(async () => {
    bridge = await loadBridge()
  })

  /** The handler the preload registered with ipcRenderer.on for `event`. */
  const handlerFor = (event: string) =>
    electron.ipcRenderer.on.mock.calls.find(([name]) => name === event)?.[1] as (e: unknown, payload: unknown) => void

  it('onNavigate delivers the kept route, then pushed routes, without the IPC event', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce('/workflows/abc')
    const routes: unknown[][] = []
    const stop = bridge.onNavigate((...args) => routes.push(args))
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(channels.takePendingNavigation)
    await Promise.resolve()
    await Promise.resolve()
    const handler = handlerFor(events.navigate)
    handler({ sender: electron.ipcRenderer }, '/gateways')
    expect(routes).toEqual([['/workflows/abc'], ['/gateways']])

    stop()
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(events.navigate, handler)
    handler({}, '/workflows')
    expect(routes).toHaveLength(2)
  })

  it('onNavigate drops payloads that are not app routes', async () => {
    const routes: string[] = []
    bridge.onNavigate((route) => routes.push(route))
    await Promise.resolve()
    const handler = handlerFor(events.navigate)
    for (const bad of ['//evil.example/x', 'https://evil.example', 42, null, { path: '/' }]) handler({}, bad)
    expect(routes).toEqual([])
  })

  it('onUpdateStatus passes known states only', () => {
    const statuses: unknown[] = []
    const stop = bridge.onUpdateStatus((status) => statuses.push(status))
    const handler = handlerFor(events.updateStatus)
    handler({}, { state: 'downloaded', version: '1.2.0' })
    handler({}, { state: 'rm -rf' })
    handler({}, 'downloaded')
    expect(statuses).toEqual([{ state: 'downloaded', version: '1.2.0' }])
    stop()
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(events.updateStatus, handler)
  })

  it('isAppRoute accepts in-app paths only', () => {
    expect(isAppRoute('/verify-email?token=x')).toBe(true)
    expect(isAppRoute('//evil.example')).toBe(false)
    expect(isAppRoute('evil')).toBe(false)
  })
})

describe('readVersion', () => {
  it('reads the version flag the main process passes', () => {
    expect(readVersion(['x', '--twobot-version=0.1.0'])).toBe('0.1.0')
  })

  it('falls back to "unknown" when the flag is missing or empty', () => {
    expect(readVersion(['x'])).toBe('unknown')
    expect(readVersion(['--twobot-version='])).toBe('unknown')
  })
})
