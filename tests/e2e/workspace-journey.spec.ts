import { expect, test } from '@playwright/test'

/**
 * The Workspace page: a newcomer has no workspace yet (lazy), starts it, sees it running with the
 * plan's limits, and stops it after confirming. The e2e server runs workspaces as child processes.
 */
test('see, start and stop your workspace', async ({ page }) => {
  await page.goto('/register')
  await page.getByTestId('register-email').locator('input').or(page.locator('input[data-testid="register-email"]')).first().fill(`ws-${Date.now()}@example.com`)
  await page.getByTestId('register-name').locator('input').or(page.locator('input[data-testid="register-name"]')).first().fill('Grace')
  await page.getByTestId('register-password').locator('input').or(page.locator('input[data-testid="register-password"]')).first().fill('E2e-Workspace-1!')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('dashboard-greeting')).toBeVisible()

  await page.getByTestId('nav-workspace').click()
  await expect(page).toHaveURL(/\/workspace$/)
  await expect(page.getByTestId('workspace-status')).toHaveText('Not started')
  await expect(page.getByTestId('workspace-plan')).toHaveText('FREE')
  await expect(page.getByTestId('workspace-usage-empty')).toBeVisible()

  await page.getByTestId('workspace-start').click()
  await expect(page.getByTestId('workspace-status')).toHaveText('Running', { timeout: 30_000 })

  await page.getByTestId('workspace-stop').click()
  await page.getByTestId('confirm-cancel').click()
  await expect(page.getByTestId('workspace-status')).toHaveText('Running')
  await page.getByTestId('workspace-stop').click()
  await page.getByTestId('confirm-ok').click()
  await expect(page.getByTestId('workspace-status')).toHaveText('Stopped', { timeout: 30_000 })
  await expect(page.getByTestId('workspace-start')).toBeVisible()
})
