import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { channels, MAX_TOKEN_LENGTH, type Channel, type ChannelResult } from '../shared/channels'
import { isAppUrl } from './app-protocol'
import type { Navigator } from './deep-link'
import type { TokenStore } from './token-store'

export class IpcRejectedError extends Error {
  override name = 'IpcRejectedError'
}

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>
  isOurWebContents(webContents: WebContents): boolean
  /** A promise while the embedded server is still starting. */
  apiBaseUrl: string | Promise<string>
  tokenStore: TokenStore
  navigator: Pick<Navigator, 'takePending'>
}

/**
 * True when the message comes from a frame showing our app origin inside one of our windows.
 * A null `senderFrame` means the frame navigated or was destroyed, so it cannot be trusted.
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  isOurWebContents: (webContents: WebContents) => boolean,
): boolean {
  const frameUrl = event.senderFrame?.url
  return typeof frameUrl === 'string' && isAppUrl(frameUrl) && isOurWebContents(event.sender)
}

/**
 * A bearer token as the renderer may send it: 1–512 visible ASCII characters.
 *
 * @example validateToken('2bot_abc123') // '2bot_abc123'
 */
export function validateToken(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) {
    throw new IpcRejectedError(`token must be a non-empty string of at most ${MAX_TOKEN_LENGTH} characters`)
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new IpcRejectedError('token must contain only visible ASCII characters')
  }
  return value
}

function expectNoArgs(args: unknown[]): void {
  if (args.length !== 0) throw new IpcRejectedError('this call takes no arguments')
}

function expectArgCount(args: unknown[], count: number): void {
  if (args.length !== count) throw new IpcRejectedError(`this call takes exactly ${count} argument(s)`)
}

type Handlers = {
  [C in Channel]: (args: unknown[], sender: WebContents) => Promise<ChannelResult<C>> | ChannelResult<C>
}

/**
 * Registers one `ipcMain.handle` per channel. Each checks the sender, then its arguments, and
 * throws otherwise. Returns a function that removes the handlers.
 */
export function setupIpc(deps: IpcDeps): () => void {
  const handlers: Handlers = {
    [channels.getApiBaseUrl]: (args) => {
      expectNoArgs(args)
      return deps.apiBaseUrl
    },
    [channels.getToken]: (args) => {
      expectNoArgs(args)
      return deps.tokenStore.get()
    },
    [channels.setToken]: (args) => {
      expectArgCount(args, 1)
      return deps.tokenStore.set(validateToken(args[0]))
    },
    [channels.clearToken]: (args) => {
      expectNoArgs(args)
      return deps.tokenStore.clear()
    },
    [channels.takePendingNavigation]: (args, sender) => {
      expectNoArgs(args)
      return deps.navigator.takePending(sender)
    },
  }

  const names = Object.keys(handlers) as Channel[]
  for (const channel of names) {
    const handler = handlers[channel] as (args: unknown[], sender: WebContents) => unknown
    deps.ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, deps.isOurWebContents)) {
        throw new IpcRejectedError(`${channel} rejected: sender is not a 2Bot window`)
      }
      return handler(args, event.sender)
    })
  }
  return () => names.forEach((channel) => deps.ipcMain.removeHandler(channel))
}
