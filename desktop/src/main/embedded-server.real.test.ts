import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server'

// The real thing, without Electron: the desktop main process's launcher starting the real
// edge-api local entry (PGlite, migrations, everything) with plain Node.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

describe('embedded server (real edge-api, real Node)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), '2bot-desktop-server-'))
  let server: EmbeddedServer | undefined
  const logs: string[] = []

  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('starts on a free port, answers as the desktop app would call it, and stops', async () => {
    server = await startEmbeddedServer({
      spawn,
      repoRoot,
      dataDir,
      nodePath: process.execPath,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      fetch,
      log: (m) => logs.push(m),
    })
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true)

    // The window's origin is app://2bot: the server must allow it (CORS) for bearer calls.
    const res = await fetch(`${server.url}/api/auth/session`, { headers: { Origin: 'app://2bot' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('app://2bot')
    expect(res.status).toBe(401)

    await server.stop()
    expect(await server.exited).toBe(0)
    await expect(fetch(`${server.url}/api/health/ready`)).rejects.toThrow()
  }, 90_000)
})
