import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from '@playwright/test'
import { TELEGRAM_API_ROOT } from './support/doubles-ports'

const PORT = Number(process.env.E2E_PORT ?? 8181)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// Every run starts from an empty platform, exactly as a newcomer's first `pnpm start`. Workers
// re-read this file; the variable they inherit keeps them on the directory the server uses.
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), '2bot-e2e-'))
const DATA_DIR = process.env.E2E_DATA_DIR

/** Debian's Chromium (never a downloaded browser), started the way this machine allows. */
export default defineConfig({
  testDir: '.',
  // The Telegram and OpenAI doubles the journeys' bots and AI gateways talk to (support/doubles-ports.ts).
  globalSetup: './support/doubles.global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: `${ROOT}.tmp/e2e-results`,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: 'pnpm --filter @2bot/edge-api start',
    cwd: ROOT,
    url: `http://127.0.0.1:${PORT}/api/health/ready`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { PORT: String(PORT), DATA_DIR, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT_PER_MINUTE: '1000', TELEGRAM_API_ROOT },
  },
})
