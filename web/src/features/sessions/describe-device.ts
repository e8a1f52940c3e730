/**
 * A short, human name for a session's user agent.
 * @example describeDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ... Chrome/130.0 Safari/537.36') // 'Chrome on macOS'
 */
export function describeDevice(userAgent: string | null, kind?: string): string {
  if (kind === 'bearer' && (!userAgent || /electron/i.test(userAgent))) return '2Bot desktop app'
  if (!userAgent) return 'Unknown device'
  const browser = /electron/i.test(userAgent)
    ? '2Bot desktop app'
    : /edg\//i.test(userAgent)
      ? 'Edge'
      : /firefox\//i.test(userAgent)
        ? 'Firefox'
        : /chrome\/|chromium\//i.test(userAgent)
          ? 'Chrome'
          : /safari\//i.test(userAgent)
            ? 'Safari'
            : null
  const os = /windows/i.test(userAgent)
    ? 'Windows'
    : /iphone|ipad/i.test(userAgent)
      ? 'iOS'
      : /mac os x|macintosh/i.test(userAgent)
        ? 'macOS'
        : /android/i.test(userAgent)
          ? 'Android'
          : /linux/i.test(userAgent)
            ? 'Linux'
            : null
  if (browser && os) return `${browser} on ${os}`
  return browser ?? os ?? userAgent.slice(0, 60)
}
