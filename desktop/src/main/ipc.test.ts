import type { IpcMainInvokeEvent, WebContents } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { channels, type Channel } from '../shared/channels'
import { IpcRejectedError, isTrustedSender, setupIpc, validateToken } from './ipc'
import type { TokenStore } from './token-store'

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>

const ourWebContents = { id: 1 } as WebContents
const strangerWebContents = { id: 2 } as WebContents
const isOurWebContents = (webContents: WebContents) => webContents === ourWebContents

function eventFrom(url: string | null, sender: WebContents = ourWebContents): IpcMainInvokeEvent {
  return { sender, senderFrame: url === null ? null : { url } } as unknown as IpcMainInvokeEvent
}

function setup() {
  const handlers = new Map<string, Handler>()
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  }
  const tokenStore: TokenStore = {
    get: vi.fn(async () => 'stored-token'),
    set: vi.fn(async () => undefined),
    clear: vi.fn(async () => undefined),
  }
  const navigator = { takePending: vi.fn((_wc: WebContents): string | null => '/workflows/abc') }
  const dispose = setupIpc({ ipcMain, isOurWebContents, apiBaseUrl: 'http://127.0.0.1:8080', tokenStore, navigator })
  const invoke = (channel: Channel, event: IpcMainInvokeEvent, ...args: unknown[]) => {
    const handler = handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return handler(event, ...args)
  }
  return { handlers, ipcMain, tokenStore, navigator, dispose, invoke }
}

const trusted = eventFrom('app://2bot/workflows/1')

describe('isTrustedSender', () => {
  it('accepts our window showing the app origin', () => {
    expect(isTrustedSender(trusted, isOurWebContents)).toBe(true)
  })

  it.each([
    ['another origin', eventFrom('https://evil.example/')],
    ['a look-alike host', eventFrom('app://2bot.evil/')],
    ['a file URL', eventFrom('file:///tmp/index.html')],
    ['a destroyed frame', eventFrom(null)],
    ['a webContents that is not ours', eventFrom('app://2bot/', strangerWebContents)],
  ])('rejects %s', (_name, event) => {
    expect(isTrustedSender(event, isOurWebContents)).toBe(false)
  })
})

describe('validateToken', () => {
  it('accepts a normal token and the maximum length', () => {
    expect(validateToken('2bot_abc.DEF-123')).toBe('2bot_abc.DEF-123')
    expect(validateToken('a'.repeat(512))).toHaveLength(512)
  })

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(513)],
    ['not a string', 42],
    ['an object', { token: 'x' }],
    ['null', null],
    ['a header injection', 'abc\r\nX-Evil: 1'],
    ['spaces', 'Bearer abc'],
    ['non-ASCII', 'tökén'],
  ])('rejects %s', (_name, value) => {
    expect(() => validateToken(value)).toThrow(IpcRejectedError)
  })
})

describe('setupIpc', () => {
  let ctx: ReturnType<typeof setup>
  beforeEach(() => {
    ctx = setup()
  })

  it('registers one handler per channel', () => {
    expect([...ctx.handlers.keys()].sort()).toEqual(Object.values(channels).sort())
  })

  it('answers the API base URL and token to our window', async () => {
    await expect(ctx.invoke(channels.getApiBaseUrl, trusted)).resolves.toBe('http://127.0.0.1:8080')
    await expect(ctx.invoke(channels.getToken, trusted)).resolves.toBe('stored-token')
  })

  it('stores and clears the token for our window', async () => {
    await ctx.invoke(channels.setToken, trusted, 'tok_1')
    expect(ctx.tokenStore.set).toHaveBeenCalledWith('tok_1')
    await ctx.invoke(channels.clearToken, trusted)
    expect(ctx.tokenStore.clear).toHaveBeenCalledTimes(1)
  })

  it.each(Object.values(channels))('%s rejects a foreign sender before doing anything', async (channel) => {
    const args = channel === channels.setToken ? ['tok_1'] : []
    for (const event of [eventFrom('https://evil.example/'), eventFrom('app://2bot/', strangerWebContents)]) {
      await expect(ctx.invoke(channel, event, ...args)).rejects.toThrow(/not a 2Bot window/)
    }
    expect(ctx.tokenStore.get).not.toHaveBeenCalled()
    expect(ctx.tokenStore.set).not.toHaveBeenCalled()
    expect(ctx.tokenStore.clear).not.toHaveBeenCalled()
    expect(ctx.navigator.takePending).not.toHaveBeenCalled()
  })

  it('hands the kept deep-link route to the asking page, and only to ours', async () => {
    await expect(ctx.invoke(channels.takePendingNavigation, trusted)).resolves.toBe('/workflows/abc')
    expect(ctx.navigator.takePending).toHaveBeenCalledWith(ourWebContents)
    await expect(ctx.invoke(channels.takePendingNavigation, trusted, 'x')).rejects.toThrow(IpcRejectedError)
  })

  it('waits for the API base URL while the embedded server starts', async () => {
    const handlers = new Map<string, Handler>()
    let resolve: (url: string) => void = () => undefined
    setupIpc({
      ipcMain: { handle: (c: string, h: Handler) => void handlers.set(c, h), removeHandler: vi.fn() } as never,
      isOurWebContents,
      apiBaseUrl: new Promise<string>((r) => (resolve = r)),
      tokenStore: ctx.tokenStore,
      navigator: ctx.navigator,
    })
    const answer = handlers.get(channels.getApiBaseUrl)!(trusted)
    resolve('http://127.0.0.1:41234')
    await expect(answer).resolves.toBe('http://127.0.0.1:41234')
  })

  it('setToken rejects invalid tokens and wrong argument counts', async () => {
    for (const args of [[], [''], ['a'.repeat(513)], [123], ['tok', 'extra'], ['line\nbreak']]) {
      await expect(ctx.invoke(channels.setToken, trusted, ...args)).rejects.toThrow(IpcRejectedError)
    }
    expect(ctx.tokenStore.set).not.toHaveBeenCalled()
  })

  it('calls without arguments reject extra arguments', async () => {
    await expect(ctx.invoke(channels.getToken, trusted, 'x')).rejects.toThrow(IpcRejectedError)
    await expect(ctx.invoke(channels.clearToken, trusted, true)).rejects.toThrow(IpcRejectedError)
    await expect(ctx.invoke(channels.getApiBaseUrl, trusted, {})).rejects.toThrow(IpcRejectedError)
    expect(ctx.tokenStore.clear).not.toHaveBeenCalled()
  })

  it('passes token store errors through to the renderer', async () => {
    vi.mocked(ctx.tokenStore.set).mockRejectedValueOnce(new Error('keychain unavailable'))
    await expect(ctx.invoke(channels.setToken, trusted, 'tok_1')).rejects.toThrow('keychain unavailable')
  })

  it('dispose removes every handler', () => {
    ctx.dispose()
    expect(ctx.handlers.size).toBe(0)
    expect(ctx.ipcMain.removeHandler).toHaveBeenCalledTimes(Object.values(channels).length)
  })
})
