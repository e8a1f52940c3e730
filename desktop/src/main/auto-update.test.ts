import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import type { UpdateStatus } from '../shared/channels'
import { setupAutoUpdate, type UpdaterLike } from './auto-update'

class FakeUpdater extends EventEmitter {
  autoDownload = false
  autoInstallOnAppQuit = false
  logger: unknown = console
  checkForUpdates = vi.fn(async () => null)
  quitAndInstall = vi.fn()
}

function setup(isPackaged: boolean) {
  const updater = new FakeUpdater()
  const read = vi.fn(() => updater as unknown as UpdaterLike)
  const statuses: UpdateStatus[] = []
  const log = vi.fn()
  const handle = setupAutoUpdate({ isPackaged, updater: read, notify: (s) => statuses.push(s), log })
  return { updater, read, statuses, log, handle }
}

describe('setupAutoUpdate', () => {
  it('does nothing in a dev run, not even reading the updater', () => {
    const { read, handle } = setup(false)
    expect(read).not.toHaveBeenCalled()
    expect(handle.enabled).toBe(false)
  })

  it('checks once at start in a packaged build, downloading in the background', () => {
    const { updater, handle } = setup(true)
    expect(handle.enabled).toBe(true)
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1)
    expect(updater.autoDownload).toBe(true)
    expect(updater.autoInstallOnAppQuit).toBe(true)
    handle.install()
    expect(updater.quitAndInstall).toHaveBeenCalled()
  })

  it('tells the page every state change', () => {
    const { updater, statuses } = setup(true)
    updater.emit('checking-for-update')
    updater.emit('update-available', { version: '1.2.0' })
    updater.emit('download-progress', { percent: 41.7 })
    updater.emit('update-downloaded', { version: '1.2.0' })
    updater.emit('update-not-available', {})
    expect(statuses).toEqual([
      { state: 'checking' },
      { state: 'available', version: '1.2.0' },
      { state: 'downloading', percent: 42 },
      { state: 'downloaded', version: '1.2.0' },
      { state: 'not-available' },
    ])
  })

  it('reports a failed check without the raw error (it may name the feed URL)', async () => {
    const { updater, statuses, log } = setup(true)
    updater.checkForUpdates.mockRejectedValueOnce(new Error('net::ERR_NAME_NOT_RESOLVED https://updates.internal/latest.yml'))
    updater.emit('error', new Error('net::ERR_NAME_NOT_RESOLVED https://updates.internal/latest.yml'))
    expect(statuses).toEqual([{ state: 'error', message: expect.stringMatching(/Could not check for updates/) }])
    expect(JSON.stringify(statuses)).not.toContain('updates.internal')
    expect(log).toHaveBeenCalledWith(expect.stringContaining('ERR_NAME_NOT_RESOLVED'))
  })
})
