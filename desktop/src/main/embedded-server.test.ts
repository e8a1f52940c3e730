import type { ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { EmbeddedServerError, startEmbeddedServer, type EmbeddedServerDeps } from './embedded-server'

class FakeChild extends EventEmitter {
  stdout = new PassThrough()
  stderr = new PassThrough()
  exitCode: number | null = null
  signalCode: string | null = null
  kill = vi.fn((signal: string) => {
    if (signal === 'SIGTERM' && this.ignoreTerm) return true
    this.signalCode = signal
    queueMicrotask(() => this.emit('exit', null, signal))
    return true
  })
  constructor(readonly ignoreTerm = false) {
    super()
  }
}

function deps(child: FakeChild, overrides: Partial<EmbeddedServerDeps> = {}, buildExitCode = 0) {
  // The build (edge-api/scripts/build-local.mjs) exits 0 at once; then the server is `child`.
  const spawn = vi.fn((_command: string, args: readonly string[]) => {
    if (!args[0]?.endsWith('build-local.mjs')) return child as unknown as ChildProcess
    const build = new FakeChild()
    setTimeout(() => build.emit('exit', buildExitCode, null), 0)
    return build as unknown as ChildProcess
  })
  const fetch = vi.fn(async () => new Response('{}', { status: 200 }))
  const log = vi.fn()
  const all: EmbeddedServerDeps = {
    spawn,
    repoRoot: '/repo',
    dataDir: '/user/data/server',
    nodePath: '/usr/bin/node',
    env: { PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1', ELECTRON_ENABLE_LOGGING: '1', TWOBOT_SOMETHING: 'x' },
    fetch: fetch as unknown as typeof globalThis.fetch,
    log,
    startTimeoutMs: 2_000,
    killAfterMs: 50,
    ...overrides,
  }
  return { all, spawn, fetch, log }
}

describe('startEmbeddedServer', () => {
  it('builds the server, then starts edge-api/dist/local.mjs with Node on a free loopback port and the data dir, without Electron variables', async () => {
    const child = new FakeChild()
    const { all, spawn, fetch } = deps(child)
    const started = startEmbeddedServer(all)
    child.stdout.write('\n  2Bot is running at http://127.0.0.1:41234\n')
    const server = await started
    expect(server.url).toBe('http://127.0.0.1:41234')
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:41234/api/health/ready')
    expect(spawn.mock.calls[0]?.slice(0, 2)).toEqual(['/usr/bin/node', ['/repo/edge-api/scripts/build-local.mjs']])
    const [command, args, options] = spawn.mock.calls[1] as unknown as [string, string[], { cwd: string; env: Record<string, string> }]
    expect(command).toBe('/usr/bin/node')
    expect(args).toEqual(['/repo/edge-api/dist/local.mjs'])
    expect(options.cwd).toBe('/repo')
    expect(options.env).toEqual({ PATH: '/usr/bin', TWOBOT_SOMETHING: 'x', HOST: '127.0.0.1', PORT: '0', DATA_DIR: '/user/data/server' })
  })

  it('reports a failed build and starts no server', async () => {
    const child = new FakeChild()
    const { all, spawn } = deps(child, {}, 1)
    await expect(startEmbeddedServer(all)).rejects.toThrow(/could not be built \(exit code 1\)/)
    expect(spawn).toHaveBeenCalledTimes(1)
  })

  it('waits for /api/health/ready, not just the banner', async () => {
    const child = new FakeChild()
    const { all, fetch } = deps(child)
    fetch
      .mockRejectedValueOnce(new Error('ECONNREFUSED'))
      .mockResolvedValueOnce(new Response('{}', { status: 503 }))
    const started = startEmbeddedServer(all)
    child.stdout.write('2Bot is running at http://127.0.0.1:5000\n')
    await expect(started).resolves.toMatchObject({ url: 'http://127.0.0.1:5000' })
    expect(fetch).toHaveBeenCalledTimes(3)
  })

  it('reads a banner split across chunks, and ignores a URL that is not loopback', async () => {
    const child = new FakeChild()
    const { all } = deps(child)
    const started = startEmbeddedServer(all)
    child.stdout.write('2Bot is running at http://evil.example:80\n2Bot is running at http://127.0')
    child.stdout.write('.0.1:6000\n')
    await expect(started).resolves.toMatchObject({ url: 'http://127.0.0.1:6000' })
  })

  it('fails with a clear error when the server exits while starting, and logs its output', async () => {
    const child = new FakeChild()
    const { all, log } = deps(child)
    const started = startEmbeddedServer(all)
    child.stderr.write('Bad environment: PORT: Invalid\n')
    await new Promise((resolve) => setTimeout(resolve, 5))
    child.exitCode = 2
    child.emit('exit', 2, null)
    await expect(started).rejects.toThrow(new EmbeddedServerError('the embedded server stopped while starting (exit code 2)'))
    expect(log).toHaveBeenCalledWith(expect.stringContaining('Bad environment'))
  })

  it('gives up after the start timeout and kills the child', async () => {
    const child = new FakeChild()
    const { all } = deps(child, { startTimeoutMs: 30 })
    await expect(startEmbeddedServer(all)).rejects.toThrow(/did not start within/)
    expect(child.kill).toHaveBeenCalledWith('SIGTERM')
  })

  it('stop() asks politely, then kills a server that does not exit', async () => {
    const child = new FakeChild(true)
    const { all } = deps(child)
    const started = startEmbeddedServer(all)
    child.stdout.write('2Bot is running at http://127.0.0.1:7000\n')
    const server = await started
    await server.stop()
    expect(child.kill.mock.calls.map(([s]) => s)).toEqual(['SIGTERM', 'SIGKILL'])
    await expect(server.exited).resolves.toBeNull()
    await server.stop() // already gone: nothing to do
    expect(child.kill).toHaveBeenCalledTimes(2)
  })
})
