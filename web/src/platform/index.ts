import { createBrowserPlatform } from './browser.platform'
import { createDesktopPlatform } from './desktop.platform'
import type { Platform } from './platform'

export type { Platform, TwoBotDesktopBridge } from './platform'

/** The desktop bridge when the preload provided one, the browser otherwise. */
export function detectPlatform(win: Pick<Window, 'twoBotDesktop'> = window): Platform {
  const bridge = win.twoBotDesktop
  return bridge?.platform === 'desktop' ? createDesktopPlatform(bridge) : createBrowserPlatform()
}
