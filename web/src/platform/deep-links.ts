import type { Router } from 'vue-router'
import type { Platform } from './platform'

/** An absolute path inside the app; never `//host` or a full URL. */
export function isAppRoute(route: unknown): route is string {
  return typeof route === 'string' && route.startsWith('/') && !route.startsWith('//') && !route.includes('\\')
}

/**
 * Opens the routes the platform asks for (desktop `2bot://` links, tray actions) in the router.
 * The router's guards still apply, so a signed-out user lands on the login page first.
 */
export function bindPlatformNavigation(platform: Pick<Platform, 'onNavigate'>, router: Pick<Router, 'push'>): () => void {
  if (!platform.onNavigate) return () => undefined
  return platform.onNavigate((route) => {
    // Navigation failures (a guard redirect, the same route) are not errors for a link.
    if (isAppRoute(route)) void router.push(route).catch(() => undefined)
  })
}
