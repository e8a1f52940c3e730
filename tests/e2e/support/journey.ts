import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, type Locator, type Page } from '@playwright/test'

/** The repo root is two levels above tests/e2e/support's parent; screenshots of the main pages go to docs/. */
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots')
/** For what waits on the server, the runtime or a double (a loaded 2-core machine is slow). */
export const LIVE = { timeout: 30_000 }

/** The real `<input>` behind a test id (on the input itself, or on a Naive UI wrapper). */
export function input(page: Page, testid: string): Locator {
  return page.locator(`input[data-testid="${testid}"]`).or(page.getByTestId(testid).locator('input')).first()
}

/** Registers an account through the form and waits for the dashboard (every e2e run starts on an empty platform). */
export async function register(page: Page, name: string, email: string): Promise<string> {
  await page.goto('/register')
  await input(page, 'register-email').fill(email)
  await input(page, 'register-name').fill(name)
  await input(page, 'register-password').fill('E2e-Journey-Pass-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toContainText(name, LIVE)
  return email
}

/**
 * Confirms the address the way its owner does: opens the link in the welcome mail (the embedded
 * server's outbox, `/api/dev/outbox`) and waits for the confirmation.
 */
export async function confirmEmail(page: Page, email: string): Promise<void> {
  const { mails } = (await (await page.request.get('/api/dev/outbox')).json()) as { mails: { to: string; text: string }[] }
  const token = mails.find((m) => m.to === email)?.text.match(/verify-email\?token=([\w-]+)/)?.[1]
  expect(token, `a confirmation mail to ${email}`).toBeTruthy()
  await page.goto(`/verify-email?token=${token}`)
  await expect(page.getByTestId('verify-done')).toBeVisible(LIVE)
  await page.getByTestId('verify-continue').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible(LIVE)
  await expect(page.getByTestId('verify-banner')).toHaveCount(0)
}

/** Picks `label` in a Naive UI select (its menu is teleported to the body). */
export async function choose(page: Page, select: Locator, label: string | RegExp): Promise<void> {
  await select.click()
  const option = page.locator('.n-base-select-option').filter({ hasText: label }).first()
  await expect(option).toBeVisible()
  await option.click()
}

/** Saves a screenshot of the page once it has settled: no spinner, no skeleton, no toast left. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await expect(page.locator('.n-spin-content--spinning')).toHaveCount(0, LIVE)
  await expect(page.locator('.n-skeleton')).toHaveCount(0, LIVE)
  await expect(page.locator('.n-message')).toHaveCount(0, LIVE)
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' })
}

/** Calls the API as the signed-in page does (session cookie + CSRF echo); for reading back what the UI did. */
export async function api<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.match(/(?:^|; )2bot_csrf=([^;]+)/)?.[1] ?? ''
      const res = await fetch(`/api${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: body === undefined ? undefined : JSON.stringify(body) })
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
      return res.json()
    },
    { method, path, body },
  ) as Promise<T>
}

/** Lets the page draw once (two animation frames): moves made faster than frames can be missed by drag libraries. */
export async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))))
}

/**
 * Presses at the centre of `from`, moves in small steps, a frame apart, to `to` (plus an offset),
 * lingers there for a few frames and releases: what a hand does, and what pointer-driven drag
 * libraries (Vue Flow's connections, SortableJS's fallback mode) follow.
 */
export async function dragWithMouse(page: Page, from: Locator, to: Locator, offset = { x: 0, y: 0 }): Promise<void> {
  const a = (await from.boundingBox())!
  const b = (await to.boundingBox())!
  const start = { x: a.x + a.width / 2, y: a.y + a.height / 2 }
  const end = { x: b.x + b.width / 2 + offset.x, y: b.y + b.height / 2 + offset.y }
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  const steps = 12
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(start.x + ((end.x - start.x) * i) / steps, start.y + ((end.y - start.y) * i) / steps)
    await nextFrames(page)
  }
  for (let i = 0; i < 6; i++) {
    await page.mouse.move(end.x + (i % 2), end.y)
    await nextFrames(page)
  }
  await page.mouse.up()
}
