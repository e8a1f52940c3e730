import type { WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { createNavigator, findDeepLink, parseDeepLink } from './deep-link'

const TOKEN = 'aB3_-'.repeat(9)

describe('parseDeepLink', () => {
  it.each([
    ['2bot://workflows/AbC_12-x', '/workflows/AbC_12-x'],
    ['2bot://workflows', '/workflows'],
    ['2bot://workflows/', '/workflows'],
    ['2bot://workflows/abc/', '/workflows/abc'],
    ['2bot://executions/svc1', '/executions/svc1'],
    ['2bot://executions/svc1/exec1', '/executions/svc1/exec1'],
    ['2bot://gateways', '/gateways'],
    ['2bot://', '/'],
    ['2bot://dashboard', '/'],
    [`2bot://auth/verify?token=${TOKEN}`, `/verify-email?token=${TOKEN}`],
    [`2bot://auth/reset-password?token=${TOKEN}`, `/reset-password?token=${TOKEN}`],
    ['twobot://workflows/abc', '/workflows/abc'],
    ['2BOT://workflows/abc', '/workflows/abc'],
  ])('opens %s at %s', (link, route) => {
    expect(parseDeepLink(link)).toBe(route)
  })

  it.each([
    ['another scheme', 'https://workflows/abc'],
    ['a scheme that only starts like ours', '2bots://workflows/abc'],
    ['no slashes', '2bot:workflows/abc'],
    ['an unknown route', '2bot://admin/users'],
    ['a route with a different case', '2bot://Workflows/abc'],
    ['too many segments', '2bot://workflows/abc/def'],
    ['executions without a service', '2bot://executions'],
    ['executions with too many segments', '2bot://executions/a/b/c'],
    ['an encoded slash in an id', '2bot://workflows/a%2Fb'],
    ['dot segments', '2bot://workflows/../settings'],
    ['a trailing dot segment', '2bot://workflows/abc/..'],
    ['an id with other characters', '2bot://workflows/a.b'],
    ['an overlong id', `2bot://workflows/${'a'.repeat(65)}`],
    ['a query on a workflow link', '2bot://workflows/abc?next=https://evil.example'],
    ['a fragment', '2bot://workflows/abc#x'],
    ['credentials', '2bot://user:pw@workflows/abc'],
    ['a port', '2bot://workflows:8080/abc'],
    ['an auth page that is not allowed', `2bot://auth/login?token=${TOKEN}`],
    ['verify without a token', '2bot://auth/verify'],
    ['verify with a short token', '2bot://auth/verify?token=abc'],
    ['verify with an odd token', `2bot://auth/verify?token=${TOKEN}%20x`],
    ['verify with an extra parameter', `2bot://auth/verify?token=${TOKEN}&next=/x`],
    ['verify with the token twice', `2bot://auth/verify?token=${TOKEN}&token=${TOKEN}`],
    ['a query on the dashboard', '2bot://?x=1'],
    ['an overlong link', `2bot://workflows/abc?${'x'.repeat(3000)}`],
    ['not a string', 42],
  ])('refuses %s', (_name, link) => {
    expect(parseDeepLink(link)).toBeNull()
  })
})

describe('findDeepLink', () => {
  it('finds the link among Chromium switches and ignores bad ones', () => {
    expect(findDeepLink(['/opt/2Bot/2bot', '--no-sandbox', '2bot://workflows/abc'])).toBe('/workflows/abc')
    expect(findDeepLink(['2bot', '--flag', '2bot://nope/x', 'twobot://gateways'])).toBe('/gateways')
    expect(findDeepLink(['/opt/2Bot/2bot', '--flag'])).toBeNull()
  })
})

describe('createNavigator', () => {
  const page = () => ({ send: vi.fn(), isDestroyed: vi.fn(() => false) }) as unknown as WebContents & { send: ReturnType<typeof vi.fn> }

  it('keeps the latest route until the page subscribes, then sends directly', () => {
    const nav = createNavigator('2bot:navigate')
    const wc = page()
    nav.navigate('/workflows/a', wc)
    nav.navigate('/workflows/b', wc)
    expect(wc.send).not.toHaveBeenCalled()
    expect(nav.takePending(wc)).toBe('/workflows/b')
    expect(nav.takePending(wc)).toBeNull()
    nav.navigate('/gateways', wc)
    expect(wc.send).toHaveBeenCalledWith('2bot:navigate', '/gateways')
  })

  it('keeps the route again after the page reloads, and when there is no window', () => {
    const nav = createNavigator('2bot:navigate')
    const wc = page()
    nav.takePending(wc)
    nav.forget(wc)
    nav.navigate('/workflows/a', wc)
    expect(wc.send).not.toHaveBeenCalled()
    nav.navigate('/gateways', undefined)
    expect(nav.takePending(wc)).toBe('/gateways')
  })

  it('does not send to a destroyed page', () => {
    const nav = createNavigator('2bot:navigate')
    const wc = page()
    nav.takePending(wc)
    ;(wc.isDestroyed as ReturnType<typeof vi.fn>).mockReturnValue(true)
    nav.navigate('/gateways', wc)
    expect(wc.send).not.toHaveBeenCalled()
  })
})
