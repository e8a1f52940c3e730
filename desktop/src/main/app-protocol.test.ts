import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  LOOPBACK_ANY_PORT,
  createAppRequestHandler,
  isAppUrl,
  registerAppScheme,
  resolveAppPath,
  setupAppProtocol,
} from './app-protocol'

const dist = path.resolve('/srv/2bot/web/dist')
const index = path.join(dist, 'index.html')

describe('resolveAppPath', () => {
  it('serves index.html for the root', () => {
    expect(resolveAppPath(dist, '/')).toEqual([index])
    expect(resolveAppPath(dist, '')).toEqual([index])
  })

  it('serves assets by path, without a fallback', () => {
    expect(resolveAppPath(dist, '/assets/index-abc.js')).toEqual([path.join(dist, 'assets/index-abc.js')])
  })

  it('falls back to index.html for SPA routes', () => {
    expect(resolveAppPath(dist, '/workflows/42/edit')).toEqual([path.join(dist, 'workflows/42/edit'), index])
    expect(resolveAppPath(dist, '/settings/')).toEqual([path.join(dist, 'settings') + path.sep, index])
  })

  it.each([
    '../../etc/passwd',
    '/../../etc/passwd',
    '/assets/../../../etc/passwd',
    '/..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..',
  ])('refuses to leave the dist directory: %s', (pathname) => {
    expect(resolveAppPath(dist, pathname)).toBeNull()
  })

  it('refuses a sibling directory that shares the prefix', () => {
    expect(resolveAppPath(dist, '/../dist-secrets/key.pem')).toBeNull()
  })

  it('refuses null bytes and malformed escapes', () => {
    expect(resolveAppPath(dist, '/index.html%00.js')).toBeNull()
    expect(resolveAppPath(dist, '/%E0%A4%A')).toBeNull()
  })

  it('keeps dot segments that stay inside', () => {
    expect(resolveAppPath(dist, '/assets/../index.html')).toEqual([index])
  })
})

describe('isAppUrl', () => {
  it('accepts only app://2bot', () => {
    expect(isAppUrl(`${APP_ORIGIN}/`)).toBe(true)
    expect(isAppUrl(`${APP_ORIGIN}/workflows/1?x=1#y`)).toBe(true)
    expect(isAppUrl('app://evil/')).toBe(false)
    expect(isAppUrl('app://2bot.evil.com/')).toBe(false)
    expect(isAppUrl('https://2bot/')).toBe(false)
    expect(isAppUrl('file:///index.html')).toBe(false)
    expect(isAppUrl('not a url')).toBe(false)
  })
})

describe('registerAppScheme', () => {
  it('registers app:// as a standard, secure scheme', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() }
    registerAppScheme(protocol)
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }),
      }),
    ])
    const [[schemes]] = protocol.registerSchemesAsPrivileged.mock.calls as [[{ privileges: object }[]]]
    expect(schemes[0]?.privileges).not.toHaveProperty('bypassCSP')
  })
})

describe('app protocol handler', () => {
  let root: string
  let distDir: string
  const apiBaseUrl = 'http://127.0.0.1:8080'
  let handle: (request: Request) => Promise<Response>

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), '2bot-protocol-'))
    distDir = path.join(root, 'dist')
    await mkdir(path.join(distDir, 'assets'), { recursive: true })
    await writeFile(path.join(distDir, 'index.html'), '<!doctype html><div id="app"></div>')
    await writeFile(path.join(distDir, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(path.join(root, 'secret.txt'), 'top secret')
    await symlink(path.join(root, 'secret.txt'), path.join(distDir, 'assets', 'leak.txt'))
    handle = createAppRequestHandler({ distDir, apiBaseUrl })
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('serves index.html with a CSP at the root', async () => {
    const res = await handle(new Request('app://2bot/'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy(apiBaseUrl))
    expect(await res.text()).toContain('id="app"')
  })

  it('serves assets with their MIME type', async () => {
    const res = await handle(new Request('app://2bot/assets/app.js'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await res.text()).toBe('console.log(1)')
  })

  it('falls back to index.html for SPA routes', async () => {
    const res = await handle(new Request('app://2bot/workflows/42'))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('id="app"')
  })

  it('answers 404 for a missing asset instead of HTML, still under the content security policy', async () => {
    const res = await handle(new Request('app://2bot/assets/missing.js'))
    expect(res.status).toBe(404)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  it('refuses encoded traversal', async () => {
    const res = await handle(new Request('app://2bot/..%2F..%2Fsecret.txt'))
    expect(res.status).toBe(403)
    expect(await res.text()).not.toContain('top secret')
  })

  it('refuses a symlink that points outside the dist directory', async () => {
    const res = await handle(new Request('app://2bot/assets/leak.txt'))
    expect(res.status).toBe(404)
    expect(await res.text()).not.toContain('top secret')
  })

  it('refuses other hosts and methods', async () => {
    expect((await handle(new Request('app://evil/'))).status).toBe(404)
    expect((await handle(new Request('app://2bot/', { method: 'POST', body: 'x' }))).status).toBe(405)
  })

  it('setupAppProtocol registers and removes the handler', () => {
    const protocol = { handle: vi.fn(), unhandle: vi.fn() }
    const dispose = setupAppProtocol({ protocol, distDir, apiBaseUrl })
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    dispose()
    expect(protocol.unhandle).toHaveBeenCalledWith('app')
  })
})

describe('contentSecurityPolicy', () => {
  it('allows scripts from the bundle only and network to the API origin', () => {
    const csp = contentSecurityPolicy('https://api.2bot.dev/v1')
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("connect-src 'self' https://api.2bot.dev")
  })

  it('allows any loopback port (and nothing else) while the embedded server picks its port', () => {
    expect(contentSecurityPolicy(LOOPBACK_ANY_PORT)).toContain("connect-src 'self' http://127.0.0.1:*;")
  })
})

describe('createAppRequestHandler with a server that is still starting', () => {
  it('waits for the API URL before answering, so the CSP names the real port', async () => {
    let resolve: (url: string) => void = () => undefined
    const handle = createAppRequestHandler({ distDir: path.resolve('.'), apiBaseUrl: new Promise<string>((r) => (resolve = r)) })
    const answer = handle(new Request('app://2bot/package.json'))
    resolve('http://127.0.0.1:41234')
    expect((await answer).headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:41234;")
  })
})
